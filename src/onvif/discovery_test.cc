#include "onvif/discovery.h"

#include <gtest/gtest.h>

#include <regex>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

constexpr const char* kOurId = "urn:uuid:5a4a4b3e-7b2c-4d7e-9f4a-0123456789ab";

// Hikvision-style ProbeMatches (SOAP 1.2, the prefixes it uses).
std::string ProbeMatches(const std::string& relates_to, const std::string& matches) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" "
         "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><env:Header>"
         "<wsa:MessageID>urn:uuid:9b0e5f6a-0000-4000-8000-bcbac1a2b3c4</wsa:MessageID>"
         "<wsa:RelatesTo>" + relates_to + "</wsa:RelatesTo>"
         "<wsa:To env:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>"
         "<wsa:Action env:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>"
         "</env:Header><env:Body><d:ProbeMatches>" + matches + "</d:ProbeMatches></env:Body></env:Envelope>";
}

std::string Match(const std::string& uuid, const std::string& xaddrs) {
  return "<d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:" + uuid + "</wsa:Address></wsa:EndpointReference>"
         "<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>"
         "<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming "
         "onvif://www.onvif.org/Profile/T onvif://www.onvif.org/location/country/china "
         "onvif://www.onvif.org/location/city/Hang%20Zhou onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I "
         "onvif://www.onvif.org/hardware/DS-2CD2143G2-I http://www.onvif.org/extra</d:Scopes>"
         "<d:XAddrs>" + xaddrs + "</d:XAddrs><d:MetadataVersion>10</d:MetadataVersion></d:ProbeMatch>";
}

TEST(OnvifDiscoveryTest, ProbeIsForVideoTransmittersWithAFreshMessageId) {
  const std::string id = NewMessageId();
  EXPECT_TRUE(std::regex_match(id, std::regex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_NE(id, NewMessageId());
  auto doc = ParseXml(BuildProbe(id));
  ASSERT_TRUE(doc.ok()) << doc.status();
  pugi::xml_node env = (*doc)->document_element();
  pugi::xml_node header = Child(env, "Header");
  EXPECT_EQ(ChildText(header, "MessageID"), id);
  EXPECT_EQ(NamespaceUri(Child(header, "MessageID")), kWsAddressingNs);
  EXPECT_EQ(ChildText(header, "Action"), "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe");
  EXPECT_EQ(ChildText(header, "To"), "urn:schemas-xmlsoap-org:ws:2005:04:discovery");
  pugi::xml_node probe = Child(Child(env, "Body"), "Probe");
  EXPECT_EQ(NamespaceUri(probe), kWsDiscoveryNs);
  EXPECT_EQ(ChildText(probe, "Types"), "dn:NetworkVideoTransmitter");
  EXPECT_EQ(std::string((*doc)->document_element().attribute("xmlns:dn").value()),
            "http://www.onvif.org/ver10/network/wsdl");
}

TEST(OnvifDiscoveryTest, ProbeMatchesGiveEndpointsScopesAndXAddrs) {
  auto msg = ParseDiscoveryMessage(
      ProbeMatches(kOurId, Match("ab000000-0000-4000-8000-000000000001",
                                 "http://192.0.2.64/onvif/device_service http://[fe80::1]/onvif/device_service")),
      kOurId);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->kind, DiscoveryKind::kProbeMatches);
  ASSERT_EQ(msg->endpoints.size(), 1u);
  const DiscoveredEndpoint& e = msg->endpoints[0];
  EXPECT_EQ(e.address, "urn:uuid:ab000000-0000-4000-8000-000000000001");
  EXPECT_EQ(e.types, (std::vector<std::string>{"dn:NetworkVideoTransmitter", "tds:Device"}));
  EXPECT_TRUE(e.IsVideoTransmitter());
  EXPECT_EQ(e.xaddrs, (std::vector<std::string>{"http://192.0.2.64/onvif/device_service",
                                                "http://[fe80::1]/onvif/device_service"}));
  EXPECT_EQ(e.metadata_version, 10u);
  EXPECT_EQ(e.scopes.size(), 8u);
  EXPECT_EQ(e.scope_info.name, "HIKVISION DS-2CD2143G2-I");
  EXPECT_EQ(e.scope_info.hardware, "DS-2CD2143G2-I");
  EXPECT_EQ(e.scope_info.location, "country/china, city/Hang Zhou");
  EXPECT_EQ(e.scope_info.profiles, (std::vector<std::string>{"Streaming", "T"}));
}

TEST(OnvifDiscoveryTest, ProbeMatchesForAnotherProbeAreRefused) {
  auto other = ParseDiscoveryMessage(ProbeMatches("urn:uuid:someone-else", Match("x", "http://192.0.2.64/")), kOurId);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("someone-else"), std::string::npos) << other.status();
  EXPECT_NE(other.status().message().find(kOurId), std::string::npos) << other.status();
  // Without an id to check (passive listening), it is read.
  EXPECT_TRUE(ParseDiscoveryMessage(ProbeMatches("urn:uuid:someone-else", Match("x", "http://192.0.2.64/"))).ok());
}

TEST(OnvifDiscoveryTest, SeveralMatchesAndOnesWithoutAddress) {
  auto msg = ParseDiscoveryMessage(
      ProbeMatches(kOurId, Match("a", "http://192.0.2.1/") + "<d:ProbeMatch><d:XAddrs>http://x/</d:XAddrs></d:ProbeMatch>" +
                               Match("b", "http://192.0.2.2/")),
      kOurId);
  ASSERT_TRUE(msg.ok()) << msg.status();
  ASSERT_EQ(msg->endpoints.size(), 2u);
  EXPECT_EQ(msg->endpoints[1].address, "urn:uuid:b");
  auto none = ParseDiscoveryMessage(ProbeMatches(kOurId, ""), kOurId);
  EXPECT_NE(none.status().message().find("no endpoint"), std::string::npos) << none.status();
}

// Axis-style Hello and Bye: SOAP 1.2, default-namespace and other prefixes.
TEST(OnvifDiscoveryTest, HelloAndBye) {
  auto hello = ParseDiscoveryMessage(
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"><SOAP-ENV:Header><wsa:Action>"
      "http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</wsa:Action></SOAP-ENV:Header><SOAP-ENV:Body>"
      "<Hello xmlns=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\"><wsa:EndpointReference><wsa:Address>"
      "urn:uuid:axis-1</wsa:Address></wsa:EndpointReference><Types xmlns:tdn=\"http://www.onvif.org/ver10/network/wsdl\">"
      "tdn:NetworkVideoTransmitter</Types><Scopes>onvif://www.onvif.org/name/AXIS%20P3245</Scopes>"
      "<XAddrs>http://192.0.2.7:80/onvif/device_service</XAddrs><MetadataVersion>1</MetadataVersion></Hello>"
      "</SOAP-ENV:Body></SOAP-ENV:Envelope>");
  ASSERT_TRUE(hello.ok()) << hello.status();
  EXPECT_EQ(hello->kind, DiscoveryKind::kHello);
  ASSERT_EQ(hello->endpoints.size(), 1u);
  EXPECT_EQ(hello->endpoints[0].address, "urn:uuid:axis-1");
  EXPECT_EQ(hello->endpoints[0].scope_info.name, "AXIS P3245");
  auto bye = ParseDiscoveryMessage(
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"x\" xmlns:d=\"y\"><s:Body><d:Bye>"
      "<a:EndpointReference><a:Address>urn:uuid:axis-1</a:Address></a:EndpointReference></d:Bye></s:Body></s:Envelope>",
      kOurId);
  ASSERT_TRUE(bye.ok()) << bye.status();
  EXPECT_EQ(bye->kind, DiscoveryKind::kBye);
  EXPECT_TRUE(bye->endpoints[0].IsVideoTransmitter());  // no types: not excluded
}

TEST(OnvifDiscoveryTest, OtherMessagesAndBadScopesAreHandled) {
  auto probe = ParseDiscoveryMessage(BuildProbe(kOurId));  // our own Probe, looped back
  ASSERT_FALSE(probe.ok());
  EXPECT_NE(probe.status().message().find("not ProbeMatches, Hello or Bye"), std::string::npos) << probe.status();
  EXPECT_FALSE(ParseDiscoveryMessage("garbage").ok());
  ScopeInfo info = DecodeScopes({"onvif://www.onvif.org/name/bad%zzescape", "onvif://www.onvif.org/name/second",
                                 "onvif://www.onvif.org/hardware", "onvif://other/name/x"});
  EXPECT_EQ(info.name, "bad%zzescape");  // kept as sent when it does not decode
  EXPECT_EQ(info.hardware, "");
  DiscoveredEndpoint printer;
  printer.types = {"wsdp:Device", "wprt:PrintDeviceType"};
  EXPECT_FALSE(printer.IsVideoTransmitter());
}

}  // namespace
}  // namespace sightline::onvif
