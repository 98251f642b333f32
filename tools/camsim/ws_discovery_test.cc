#include "tools/camsim/ws_discovery.h"

#include <gtest/gtest.h>

#include "onvif/xml.h"

namespace sightline::camsim {
namespace {

using onvif::ChildText;
using onvif::Descendant;

// A probe as libonvif 1.4.4 sends it (getDiscoveryXml), written out here.
constexpr std::string_view kLibonvifProbe =
    R"(<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" )"
    R"(xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><SOAP-ENV:Header>)"
    R"(<a:Action SOAP-ENV:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>)"
    R"(<a:MessageID>urn:uuid:1234</a:MessageID><a:ReplyTo><a:Address>)"
    R"(http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>)"
    R"(<a:To SOAP-ENV:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>)"
    R"(</SOAP-ENV:Header><SOAP-ENV:Body><p:Probe xmlns:p="http://schemas.xmlsoap.org/ws/2005/04/discovery">)"
    R"(<d:Types xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" )"
    R"(xmlns:dp0="http://www.onvif.org/ver10/network/wsdl">dp0:NetworkVideoTransmitter</d:Types>)"
    R"(</p:Probe></SOAP-ENV:Body></SOAP-ENV:Envelope>)";

std::string Probe(std::string_view types, std::string_view scopes = "") {
  return R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" )"
         R"(xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" )"
         R"(xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" )"
         R"(xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:x="urn:other">)"
         R"(<s:Header><a:MessageID>urn:uuid:5</a:MessageID></s:Header><s:Body><d:Probe>)" +
         (types.empty() ? std::string() : "<d:Types>" + std::string(types) + "</d:Types>") +
         (scopes.empty() ? std::string() : "<d:Scopes>" + std::string(scopes) + "</d:Scopes>") +
         "</d:Probe></s:Body></s:Envelope>";
}

const DiscoveryTarget kTarget{"urn:uuid:aaaa",
                              {"onvif://www.onvif.org/name/cam7", "onvif://www.onvif.org/hardware/camsim",
                               "onvif://www.onvif.org/Profile/Streaming"},
                              "http://10.0.0.1:8080/onvif/cam7/device_service"};

TEST(WsDiscoveryTest, ReadsLibonvifsProbe) {
  auto p = ParseProbe(kLibonvifProbe);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->message_id, "urn:uuid:1234");
  ASSERT_EQ(p->types.size(), 1u);
  EXPECT_EQ(p->types[0].first, kNsNetwork);
  EXPECT_EQ(p->types[0].second, "NetworkVideoTransmitter");
  EXPECT_TRUE(ProbeMatches(*p, kTarget));
}

TEST(WsDiscoveryTest, MatchesTypesAndScopes) {
  auto match = [](std::string types, std::string scopes = "") {
    auto p = ParseProbe(Probe(types, scopes));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() && ProbeMatches(*p, kTarget);
  };
  EXPECT_TRUE(match(""));  // no Types: any device
  EXPECT_TRUE(match("tds:Device"));
  EXPECT_FALSE(match("x:Printer"));
  EXPECT_FALSE(match("tds:Device x:Printer"));
  EXPECT_TRUE(match("", "onvif://www.onvif.org/name/cam7"));
  EXPECT_TRUE(match("", "onvif://www.onvif.org/hardware"));  // a prefix by segments
  EXPECT_FALSE(match("", "onvif://www.onvif.org/name/cam"));  // not a whole segment
  EXPECT_FALSE(match("", "onvif://www.onvif.org/name/cam7 onvif://www.onvif.org/type/nvr"));
}

TEST(WsDiscoveryTest, OtherMessagesAndGarbageAreNoProbes) {
  auto hello = ParseProbe(HelloXml(kTarget, "urn:uuid:1", {}));
  EXPECT_EQ(hello.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseProbe("\x01\x02garbage").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseProbe(Probe("nope:Device")).status().code(), StatusCode::kInvalidArgument);
}

TEST(WsDiscoveryTest, ProbeMatchesAnswersWithTheDevicesAddresses) {
  const std::string xml = ProbeMatchesXml(kTarget, "urn:uuid:1234", "urn:uuid:99", {7, 3});
  auto doc = onvif::ParseXml(xml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const pugi::xml_node root = (*doc)->document_element();
  EXPECT_EQ(ChildText(Descendant(root, "Header"), "RelatesTo"), "urn:uuid:1234");
  EXPECT_EQ(ChildText(Descendant(root, "Header"), "Action"),
            "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches");
  EXPECT_STREQ(Descendant(root, "AppSequence").attribute("MessageNumber").value(), "3");
  const pugi::xml_node match = Descendant(root, "ProbeMatch");
  EXPECT_EQ(ChildText(Descendant(match, "EndpointReference"), "Address"), "urn:uuid:aaaa");
  EXPECT_EQ(ChildText(match, "XAddrs"), kTarget.xaddrs);
  EXPECT_NE(ChildText(match, "Scopes").find("onvif://www.onvif.org/name/cam7"), std::string::npos);
  EXPECT_EQ(ChildText(match, "Types"), "tdn:NetworkVideoTransmitter tds:Device");

  auto bye = onvif::ParseXml(ByeXml(kTarget, "urn:uuid:2", {}));
  ASSERT_TRUE(bye.ok());
  EXPECT_EQ(ChildText(Descendant(Descendant((*bye)->document_element(), "Bye"), "EndpointReference"),
                      "Address"),
            "urn:uuid:aaaa");
}

}  // namespace
}  // namespace sightline::camsim
