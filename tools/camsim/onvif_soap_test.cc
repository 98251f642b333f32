#include "tools/camsim/onvif_soap.h"

#include <gtest/gtest.h>

namespace sightline::camsim {
namespace {

TEST(OnvifSoapTest, ReadsTheOperationWhateverThePrefixes) {
  auto r = ParseSoapRequest(
      R"(<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" )"
      R"(xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><SOAP-ENV:Header/><SOAP-ENV:Body>)"
      R"(<trt:GetProfiles/></SOAP-ENV:Body></SOAP-ENV:Envelope>)");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, SoapVersion::k12);
  EXPECT_EQ(r->operation_name(), "GetProfiles");
  EXPECT_EQ(r->operation_ns, kNsMedia);
  EXPECT_TRUE(r->header);

  auto d = ParseSoapRequest(
      R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>)"
      R"(<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>)");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->version, SoapVersion::k11);
  EXPECT_EQ(d->operation_ns, kNsDevice);
  EXPECT_FALSE(d->header);
}

TEST(OnvifSoapTest, RefusesWhatIsNoRequestWithAReason) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"<a><b></a>", "well-formed"},
      {"", "well-formed"},
      {"<html/>", "not a SOAP envelope"},
      {R"(<e:Envelope xmlns:e="urn:other"><e:Body><x/></e:Body></e:Envelope>)", "namespace"},
      {R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>)", "without a Body"},
      {R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body> </s:Body></s:Envelope>)",
       "without an operation"},
      {R"(<!DOCTYPE x [<!ENTITY a "b">]><x/>)", "DOCTYPE"},
  };
  for (const Case& c : cases) {
    auto r = ParseSoapRequest(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
        << c.text << " -> " << r.status();
  }
}

TEST(OnvifSoapTest, FaultsCarryNestedSubcodesAndAnEscapedReason) {
  const std::string xml = SoapFaultEnvelope(
      SoapVersion::k12, SoapFault{false, "ter:InvalidArgVal ter:NoProfile", "no <profile> 'x'"});
  auto doc = onvif::ParseXml(xml);
  ASSERT_TRUE(doc.ok()) << doc.status() << "\n" << xml;
  const pugi::xml_node fault = onvif::Descendant((*doc)->document_element(), "Fault");
  const pugi::xml_node code = onvif::Child(fault, "Code");
  EXPECT_EQ(onvif::ChildText(code, "Value"), "env:Sender");
  const pugi::xml_node sub1 = onvif::Child(code, "Subcode");
  EXPECT_EQ(onvif::ChildText(sub1, "Value"), "ter:InvalidArgVal");
  EXPECT_EQ(onvif::ChildText(onvif::Child(sub1, "Subcode"), "Value"), "ter:NoProfile");
  EXPECT_EQ(onvif::ChildText(onvif::Child(fault, "Reason"), "Text"), "no <profile> 'x'");

  const std::string old = SoapFaultEnvelope(
      SoapVersion::k11, SoapFault{true, "ter:ActionNotSupported", "nope"});
  auto doc11 = onvif::ParseXml(old);
  ASSERT_TRUE(doc11.ok()) << doc11.status();
  EXPECT_EQ(NamespaceOf((*doc11)->document_element()), kNsSoap11);
  const pugi::xml_node f11 = onvif::Descendant((*doc11)->document_element(), "Fault");
  EXPECT_EQ(onvif::ChildText(f11, "faultcode"), "ter:ActionNotSupported");
  EXPECT_EQ(onvif::ChildText(f11, "faultstring"), "nope");
}

TEST(OnvifSoapTest, ContentTypeFollowsTheVersion) {
  EXPECT_EQ(SoapContentType(SoapVersion::k12), "application/soap+xml; charset=utf-8");
  EXPECT_EQ(SoapContentType(SoapVersion::k11), "text/xml; charset=utf-8");
}

}  // namespace
}  // namespace sightline::camsim
