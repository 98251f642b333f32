#include "onvif/ptz.h"

#include <cmath>

#include <gtest/gtest.h>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

using std::chrono::milliseconds;

std::string Soap12(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:tt=\"http://www.onvif.org/ver10/schema\" xmlns:tptz=\"http://www.onvif.org/ver20/ptz/wsdl\">"
         "<env:Body>" + body + "</env:Body></env:Envelope>";
}

// SOAP 1.1, other prefixes (ns2 for the schema, default namespace for the service).
std::string Soap11(const std::string& body) {
  return "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:ns2=\"http://www.onvif.org/ver10/schema\"><SOAP-ENV:Body>" + body +
         "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
}

pugi::xml_node Root(const XmlDoc& doc) { return doc->document_element(); }

TEST(OnvifPtzTest, ContinuousMoveClampsVelocitiesAndWritesTheTimeout) {
  SoapRequest r = ContinuousMoveRequest("Profile_1", {.pan = 2.5, .tilt = -0.25, .zoom = -7}, milliseconds(1500));
  EXPECT_EQ(r.action, "http://www.onvif.org/ver20/ptz/wsdl/ContinuousMove");
  Result<XmlDoc> doc = ParseXml(r.body_xml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  pugi::xml_node root = Root(*doc);
  EXPECT_EQ(NamespaceUri(root), kPtzNs);
  EXPECT_EQ(ChildText(root, "ProfileToken"), "Profile_1");
  pugi::xml_node v = Child(root, "Velocity");
  EXPECT_STREQ(Child(v, "PanTilt").attribute("x").value(), "1");
  EXPECT_STREQ(Child(v, "PanTilt").attribute("y").value(), "-0.25");
  EXPECT_STREQ(Child(v, "Zoom").attribute("x").value(), "-1");
  EXPECT_EQ(NamespaceUri(Child(v, "PanTilt")), "http://www.onvif.org/ver10/schema");
  EXPECT_EQ(ChildText(root, "Timeout"), "PT1.5S");
  // No space URI: the generic velocity spaces are the default (PTZ spec 5.7).
  EXPECT_EQ(r.body_xml.find("space="), std::string::npos);

  SoapRequest nan = ContinuousMoveRequest("p", {.pan = std::nan(""), .tilt = 0, .zoom = 0.5}, std::nullopt);
  Result<XmlDoc> d2 = ParseXml(nan.body_xml);
  ASSERT_TRUE(d2.ok());
  EXPECT_STREQ(Child(Child(Root(*d2), "Velocity"), "PanTilt").attribute("x").value(), "0");
  EXPECT_FALSE(Child(Root(*d2), "Timeout"));
}

TEST(OnvifPtzTest, TokensAndNamesAreEscaped) {
  SoapRequest g = GotoPresetRequest("p&1", "<3>");
  Result<XmlDoc> doc = ParseXml(g.body_xml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(ChildText(Root(*doc), "ProfileToken"), "p&1");
  EXPECT_EQ(ChildText(Root(*doc), "PresetToken"), "<3>");
  EXPECT_EQ(g.action, "http://www.onvif.org/ver20/ptz/wsdl/GotoPreset");

  SoapRequest s = SetPresetRequest("p", "Gate \"north\" & yard");
  Result<XmlDoc> d2 = ParseXml(s.body_xml);
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(ChildText(Root(*d2), "PresetName"), "Gate \"north\" & yard");
  EXPECT_FALSE(Child(Root(*d2), "PresetToken"));  // a new preset, never an overwrite

  // Cut to 64 bytes, not inside a UTF-8 sequence: 63 ASCII bytes then a two-byte letter.
  SoapRequest longer = SetPresetRequest("p", std::string(63, 'a') + "\xc3\xa9" + "zzz");
  Result<XmlDoc> d3 = ParseXml(longer.body_xml);
  ASSERT_TRUE(d3.ok());
  EXPECT_EQ(ChildText(Root(*d3), "PresetName"), std::string(63, 'a'));

  Result<XmlDoc> d4 = ParseXml(RemovePresetRequest("p", "7").body_xml);
  ASSERT_TRUE(d4.ok());
  EXPECT_EQ(LocalName(Root(*d4).name()), "RemovePreset");
  EXPECT_EQ(ChildText(Root(*d4), "PresetToken"), "7");
}

TEST(OnvifPtzTest, StopNamesBothParts) {
  Result<XmlDoc> doc = ParseXml(PtzStopRequest("p").body_xml);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(ChildText(Root(*doc), "PanTilt"), "true");
  EXPECT_EQ(ChildText(Root(*doc), "Zoom"), "true");
  Result<XmlDoc> zoom_only = ParseXml(PtzStopRequest("p", false, true).body_xml);
  ASSERT_TRUE(zoom_only.ok());
  EXPECT_EQ(ChildText(Root(*zoom_only), "PanTilt"), "false");
  for (const SoapRequest& r : {PtzGetNodesRequest(), PtzGetConfigurationsRequest(), PtzGetStatusRequest("p"),
                               GetPresetsRequest("p")}) {
    EXPECT_TRUE(ParseXml(r.body_xml).ok()) << r.body_xml;
    EXPECT_TRUE(r.action.starts_with("http://www.onvif.org/ver20/ptz/wsdl/")) << r.action;
  }
}

TEST(OnvifPtzTest, Durations) {
  EXPECT_EQ(XsDuration(milliseconds(1000)), "PT1S");
  EXPECT_EQ(XsDuration(milliseconds(250)), "PT0.25S");
  EXPECT_EQ(XsDuration(milliseconds(10001)), "PT10.001S");
  EXPECT_EQ(XsDuration(milliseconds(-5)), "PT0S");
  EXPECT_EQ(ParseXsDuration("PT5S").value(), milliseconds(5000));
  EXPECT_EQ(ParseXsDuration("PT0.5S").value(), milliseconds(500));
  EXPECT_EQ(ParseXsDuration("PT1M30S").value(), milliseconds(90000));
  EXPECT_EQ(ParseXsDuration("PT1H").value(), milliseconds(3600000));
  for (std::string_view bad : {"", "PT", "P1D", "PTS", "PT-1S", "PT1.5M", "PT1S1M", "PT1E3S", "5", "PT1X"}) {
    EXPECT_FALSE(ParseXsDuration(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseXsDuration("PT99999999H").ok());
}

TEST(OnvifPtzTest, StatusWithPositionAndMoveStatus) {
  Result<PtzStatus> s = ParseGetStatus(Soap12(
      "<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position>"
      "<tt:PanTilt x=\"0.25\" y=\"-0.5\" space=\"http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace\"/>"
      "<tt:Zoom x=\"0.1\"/></tt:Position><tt:MoveStatus><tt:PanTilt>MOVING</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom>"
      "</tt:MoveStatus><tt:UtcTime>2026-12-07T10:00:00Z</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_DOUBLE_EQ(s->position.pan.value(), 0.25);
  EXPECT_DOUBLE_EQ(s->position.tilt.value(), -0.5);
  EXPECT_DOUBLE_EQ(s->position.zoom.value(), 0.1);
  EXPECT_EQ(s->pan_tilt, PtzMoveState::kMoving);
  EXPECT_EQ(s->zoom, PtzMoveState::kIdle);
}

TEST(OnvifPtzTest, StatusQuirks) {
  // SOAP 1.1, default namespace for the service, ns2 for the schema, a single MoveStatus
  // text (ONVIF 1.x), an xmlns:x declaration that is not the x attribute, no Zoom, garbage y.
  Result<PtzStatus> s = ParseGetStatus(Soap11(
      "<GetStatusResponse xmlns=\"http://www.onvif.org/ver20/ptz/wsdl\"><PTZStatus><ns2:Position>"
      "<ns2:PanTilt xmlns:x=\"urn:x\" x=\" 1E-1 \" y=\"north\"/></ns2:Position>"
      "<ns2:MoveStatus>moving</ns2:MoveStatus></PTZStatus></GetStatusResponse>"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_DOUBLE_EQ(s->position.pan.value(), 0.1);
  EXPECT_FALSE(s->position.tilt.has_value());
  EXPECT_FALSE(s->position.zoom.has_value());
  EXPECT_EQ(s->pan_tilt, PtzMoveState::kMoving);
  EXPECT_EQ(s->zoom, PtzMoveState::kMoving);

  EXPECT_FALSE(ParseGetStatus(Soap12("<tptz:GetStatusResponse/>")).ok());
  EXPECT_FALSE(ParseGetStatus(Soap12("<tptz:GetPresetsResponse/>")).ok());
  Result<PtzStatus> fault = ParseGetStatus(Soap12(
      "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:InvalidArgVal"
      "</env:Value><env:Subcode><env:Value>ter:NoProfile</env:Value></env:Subcode></env:Subcode></env:Code>"
      "<env:Reason><env:Text xml:lang=\"en\">no profile</env:Text></env:Reason></env:Fault>"));
  ASSERT_FALSE(fault.ok());
  EXPECT_EQ(fault.status().code(), StatusCode::kNotFound);
}

TEST(OnvifPtzTest, Presets) {
  Result<std::vector<PtzPreset>> p = ParseGetPresets(Soap12(
          "<tptz:GetPresetsResponse>"
          "<tptz:Preset token=\"1\"><tt:Name>Gate</tt:Name><tt:PTZPosition><tt:PanTilt x=\"0.5\" y=\"0\"/>"
          "<tt:Zoom x=\"0\"/></tt:PTZPosition></tptz:Preset>"
          "<tptz:Preset token=\"\"><tt:Name>empty slot</tt:Name></tptz:Preset>"
          "<tptz:Preset token=\"2\"><tt:Name>Yard &amp; shed</tt:Name></tptz:Preset>"
          "</tptz:GetPresetsResponse>"));
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].token, "1");
  EXPECT_EQ((*p)[0].name, "Gate");
  EXPECT_DOUBLE_EQ((*p)[0].position.pan.value(), 0.5);
  EXPECT_EQ((*p)[1].name, "Yard & shed");
  EXPECT_FALSE((*p)[1].position.pan.has_value());

  std::string many;
  for (int i = 0; i < 300; ++i) many += "<tptz:Preset token=\"" + std::to_string(i) + "\"/>";
  Result<std::vector<PtzPreset>> capped = ParseGetPresets(Soap12("<tptz:GetPresetsResponse>" + many + "</tptz:GetPresetsResponse>"));
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->size(), kMaxPresets);

  Result<std::string> token = ParseSetPreset(Soap12(
      "<tptz:SetPresetResponse><tptz:PresetToken>preset_7</tptz:PresetToken></tptz:SetPresetResponse>"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "preset_7");
  EXPECT_FALSE(ParseSetPreset(Soap12("<tptz:SetPresetResponse/>")).ok());
  EXPECT_FALSE(ParseSetPreset(Soap12("<tptz:SetPresetResponse><tptz:PresetToken>" + std::string(65, 'x') +
                                     "</tptz:PresetToken></tptz:SetPresetResponse>")).ok());
}

TEST(OnvifPtzTest, NodesConfigurationsAndAcks) {
  Result<std::vector<PtzNode>> n = ParseGetNodes(Soap11(
      "<tptz:GetNodesResponse xmlns:tptz=\"http://www.onvif.org/ver20/ptz/wsdl\">"
      "<tptz:PTZNode token=\"node0\" FixedHomePosition=\"false\"><ns2:Name>head</ns2:Name><ns2:SupportedPTZSpaces>"
      "<ns2:ContinuousPanTiltVelocitySpace><ns2:URI>u</ns2:URI></ns2:ContinuousPanTiltVelocitySpace>"
      "</ns2:SupportedPTZSpaces><ns2:MaximumNumberOfPresets>128</ns2:MaximumNumberOfPresets>"
      "<ns2:HomeSupported>true</ns2:HomeSupported></tptz:PTZNode><tptz:PTZNode/></tptz:GetNodesResponse>"));
  ASSERT_TRUE(n.ok()) << n.status();
  ASSERT_EQ(n->size(), 1u);  // the node without a token is dropped
  EXPECT_EQ((*n)[0].token, "node0");
  EXPECT_EQ((*n)[0].max_presets, 128);
  EXPECT_TRUE((*n)[0].home_supported);
  EXPECT_TRUE((*n)[0].continuous_pan_tilt);
  EXPECT_FALSE((*n)[0].continuous_zoom);

  Result<std::vector<PtzConfiguration>> c = ParseGetConfigurations(Soap12(
      "<tptz:GetConfigurationsResponse><tptz:PTZConfiguration token=\"ptz0\"><tt:Name>ptz</tt:Name>"
      "<tt:NodeToken>node0</tt:NodeToken><tt:DefaultPTZTimeout>PT5S</tt:DefaultPTZTimeout>"
      "</tptz:PTZConfiguration></tptz:GetConfigurationsResponse>"));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].node_token, "node0");
  EXPECT_EQ((*c)[0].default_timeout, milliseconds(5000));

  EXPECT_TRUE(ParsePtzAck(Soap12("<tptz:StopResponse/>"), "Stop").ok());
  EXPECT_TRUE(ParsePtzAck(Soap11("<ContinuousMoveResponse/>"), "ContinuousMove").ok());
  EXPECT_FALSE(ParsePtzAck(Soap12("<tptz:StopResponse/>"), "GotoPreset").ok());
  EXPECT_FALSE(ParsePtzAck("not xml", "Stop").ok());
}

}  // namespace
}  // namespace sightline::onvif
