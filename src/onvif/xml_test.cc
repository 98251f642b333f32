#include "onvif/xml.h"

#include <gtest/gtest.h>

namespace sightline::onvif {
namespace {

TEST(XmlTest, ElementsAreFoundByLocalNameWhateverTheirPrefix) {
  auto doc = ParseXml(
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tt=\"x\">"
      "<SOAP-ENV:Body><ns2:Answer tt:token=\"p1\"><Name>  main \n</Name><tt:Deep><x:Name>d</x:Name></tt:Deep>"
      "</ns2:Answer></SOAP-ENV:Body></SOAP-ENV:Envelope>");
  ASSERT_TRUE(doc.ok()) << doc.status();
  pugi::xml_node answer = Child(Child((*doc)->document_element(), "Body"), "Answer");
  ASSERT_TRUE(answer);
  EXPECT_EQ(ChildText(answer, "Name"), "main");
  EXPECT_EQ(Attribute(answer, "token"), "p1");
  EXPECT_EQ(std::string(Descendant(answer, "Deep").first_child().text().get()), "d");
  EXPECT_EQ(ChildText(answer, "Missing"), "");
  EXPECT_FALSE(Child(answer, "Missing"));
}

TEST(XmlTest, MalformedInputNamesTheOffset) {
  auto r = ParseXml("<a><b></a>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at byte"), std::string::npos) << r.status();
  EXPECT_FALSE(ParseXml("").ok());
  EXPECT_FALSE(ParseXml("just text").ok());
}

TEST(XmlTest, DoctypesAndEntityBombsAreRefused) {
  auto bomb = ParseXml(
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>"
      "<lolz>&lol2;</lolz>");
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.status().message().find("DOCTYPE"), std::string::npos) << bomb.status();
  auto xxe = ParseXml("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>");
  EXPECT_FALSE(xxe.ok());
}

TEST(XmlTest, OversizedDocumentsAreRefusedBeforeParsing) {
  std::string big = "<a>" + std::string(kMaxXmlBytes, 'x') + "</a>";
  auto r = ParseXml(big);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("over the limit"), std::string::npos);
}

TEST(XmlTest, EscapeCoversTheFiveSpecialCharacters) {
  EXPECT_EQ(XmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
}

}  // namespace
}  // namespace sightline::onvif
