#include "onvif/device.h"

#include <gtest/gtest.h>

namespace sightline::onvif {
namespace {

using namespace std::chrono_literals;

std::string Soap12(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:tt=\"http://www.onvif.org/ver10/schema\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
         "<env:Body>" + body + "</env:Body></env:Envelope>";
}

HttpUrl Base() {
  auto b = DeviceServiceUrl("192.0.2.10:8080");
  EXPECT_TRUE(b.ok());
  return *b;
}

TEST(OnvifDeviceTest, RequestsAreDeviceServiceElements) {
  for (const SoapRequest& r : {GetSystemDateAndTimeRequest(), GetDeviceInformationRequest(), GetServicesRequest(),
                               GetCapabilitiesRequest()}) {
    EXPECT_EQ(r.action.rfind("http://www.onvif.org/ver10/device/wsdl/", 0), 0u) << r.action;
    auto doc = ParseXml(r.body_xml);
    ASSERT_TRUE(doc.ok()) << doc.status();
    EXPECT_EQ(NamespaceUri((*doc)->document_element()), kDeviceNs);
    EXPECT_EQ(r.action.substr(r.action.rfind('/') + 1), LocalName((*doc)->document_element().name()));
  }
  EXPECT_NE(GetCapabilitiesRequest().body_xml.find("<tds:Category>All</tds:Category>"), std::string::npos);
}

// Hikvision-style, with the local time in another zone: only UTCDateTime counts.
TEST(OnvifDeviceTest, SystemDateAndTimeGivesTheCamerasUtcClock) {
  auto clock = ParseGetSystemDateAndTime(Soap12(
      "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
      "<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>CST-8:00:00</tt:TZ></tt:TimeZone>"
      "<tt:UTCDateTime><tt:Time><tt:Hour>23</tt:Hour><tt:Minute>59</tt:Minute><tt:Second>58</tt:Second></tt:Time>"
      "<tt:Date><tt:Year>2026</tt:Year><tt:Month>2</tt:Month><tt:Day>28</tt:Day></tt:Date></tt:UTCDateTime>"
      "<tt:LocalDateTime><tt:Time><tt:Hour>7</tt:Hour><tt:Minute>59</tt:Minute><tt:Second>58</tt:Second></tt:Time>"
      "<tt:Date><tt:Year>2026</tt:Year><tt:Month>3</tt:Month><tt:Day>1</tt:Day></tt:Date></tt:LocalDateTime>"
      "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"));
  ASSERT_TRUE(clock.ok()) << clock.status();
  EXPECT_EQ(FormatDateTime(clock->utc), "2026-02-28T23:59:58Z");
  EXPECT_EQ(clock->time_zone, "CST-8:00:00");
  EXPECT_TRUE(clock->ntp);
  EXPECT_EQ(ClockOffset(clock->utc, clock->utc - 90s), 90000ms);
  EXPECT_EQ(ClockOffset(clock->utc, clock->utc + 2s), -2000ms);
}

TEST(OnvifDeviceTest, SystemDateAndTimeErrorsNameTheField) {
  auto no_utc = ParseGetSystemDateAndTime(Soap12(
      "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:LocalDateTime/></tds:SystemDateAndTime>"
      "</tds:GetSystemDateAndTimeResponse>"));
  ASSERT_FALSE(no_utc.ok());
  EXPECT_NE(no_utc.status().message().find("only LocalDateTime"), std::string::npos) << no_utc.status();
  auto bad_month = ParseGetSystemDateAndTime(Soap12(
      "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour>"
      "<tt:Minute>2</tt:Minute><tt:Second>3</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year>"
      "<tt:Month>13</tt:Month><tt:Day>1</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime>"
      "</tds:GetSystemDateAndTimeResponse>"));
  ASSERT_FALSE(bad_month.ok());
  EXPECT_NE(bad_month.status().message().find("Month '13'"), std::string::npos) << bad_month.status();
  auto feb30 = ParseGetSystemDateAndTime(Soap12(
      "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour>"
      "<tt:Minute>2</tt:Minute><tt:Second>3</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year>"
      "<tt:Month>2</tt:Month><tt:Day>30</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime>"
      "</tds:GetSystemDateAndTimeResponse>"));
  EXPECT_NE(feb30.status().message().find("no such day"), std::string::npos) << feb30.status();
}

TEST(OnvifDeviceTest, DeviceInformation) {
  auto info = ParseGetDeviceInformation(Soap12(
      "<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer>"
      "<tds:Model>DS-2CD2143G2-I</tds:Model><tds:FirmwareVersion>V5.7.3 build 220112</tds:FirmwareVersion>"
      "<tds:SerialNumber>DS-2CD2143G2-I20220101AAWRJ00000000</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId>"
      "</tds:GetDeviceInformationResponse>"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->manufacturer, "HIKVISION");
  EXPECT_EQ(info->model, "DS-2CD2143G2-I");
  EXPECT_EQ(info->firmware_version, "V5.7.3 build 220112");
  EXPECT_EQ(info->serial_number, "DS-2CD2143G2-I20220101AAWRJ00000000");
  EXPECT_EQ(info->hardware_id, "88");
}

// Axis-style GetServices with the camera's internal address in every XAddr, and Media2.
TEST(OnvifDeviceTest, ServicesAreFoundByNamespaceAndRebased) {
  auto services = ParseGetServices(
      Soap12("<tds:GetServicesResponse>"
             "<tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>"
             "<tds:XAddr>http://10.1.1.64/onvif/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major>"
             "<tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
             "<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace>"
             "<tds:XAddr>http://10.1.1.64/onvif/services</tds:XAddr></tds:Service>"
             "<tds:Service><tds:Namespace>http://www.onvif.org/ver20/media/wsdl</tds:Namespace>"
             "<tds:XAddr> http://10.1.1.64:80/onvif/media2_service </tds:XAddr></tds:Service>"
             "<tds:Service><tds:Namespace>http://www.onvif.org/ver10/events/wsdl</tds:Namespace>"
             "<tds:XAddr>/onvif/event_service</tds:XAddr></tds:Service>"
             "<tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace>"
             "<tds:XAddr>not a url</tds:XAddr></tds:Service>"
             "<tds:Service><tds:Namespace>http://www.onvif.org/ver10/deviceIO/wsdl</tds:Namespace>"
             "<tds:XAddr>http://10.1.1.64/onvif/deviceio_service</tds:XAddr></tds:Service>"
             "</tds:GetServicesResponse>"),
      Base());
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_EQ(services->device.ToString(), "http://192.0.2.10:8080/onvif/device_service");
  EXPECT_EQ(services->media.ToString(), "http://192.0.2.10:8080/onvif/services");
  EXPECT_EQ(services->media2.ToString(), "http://192.0.2.10:8080/onvif/media2_service");
  EXPECT_EQ(services->events.ToString(), "http://192.0.2.10:8080/onvif/event_service");
  EXPECT_TRUE(services->has_media2());
  EXPECT_TRUE(services->ptz.target.empty());  // an unusable XAddr leaves the service absent
}

TEST(OnvifDeviceTest, ServicesWithoutAnyXAddrAreAnError) {
  auto none = ParseGetServices(Soap12("<tds:GetServicesResponse/>"), Base());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no service"), std::string::npos) << none.status();
}

// Dahua-style SOAP 1.1 GetCapabilities, no Media2 (Profile S only).
TEST(OnvifDeviceTest, CapabilitiesGiveTheOnvif1Services) {
  auto caps = ParseGetCapabilities(
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<tds:GetCapabilitiesResponse xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" "
      "xmlns:tt=\"http://www.onvif.org/ver10/schema\"><tds:Capabilities>"
      "<tt:Device><tt:XAddr>http://172.16.0.2/onvif/device_service</tt:XAddr></tt:Device>"
      "<tt:Events><tt:XAddr>http://172.16.0.2/onvif/event_service</tt:XAddr><tt:WSPullPointSupport>true"
      "</tt:WSPullPointSupport></tt:Events>"
      "<tt:Media><tt:XAddr>http://172.16.0.2/onvif/media_service</tt:XAddr><tt:StreamingCapabilities>"
      "<tt:RTP_TCP>true</tt:RTP_TCP></tt:StreamingCapabilities></tt:Media>"
      "<tt:PTZ><tt:XAddr>http://172.16.0.2/onvif/ptz_service</tt:XAddr></tt:PTZ>"
      "</tds:Capabilities></tds:GetCapabilitiesResponse></s:Body></s:Envelope>",
      Base());
  ASSERT_TRUE(caps.ok()) << caps.status();
  EXPECT_EQ(caps->media.ToString(), "http://192.0.2.10:8080/onvif/media_service");
  EXPECT_EQ(caps->ptz.ToString(), "http://192.0.2.10:8080/onvif/ptz_service");
  EXPECT_EQ(caps->events.target, "/onvif/event_service");
  EXPECT_FALSE(caps->has_media2());
  EXPECT_FALSE(ParseGetCapabilities(Soap12("<tds:GetCapabilitiesResponse/>"), Base()).ok());
}

TEST(OnvifDeviceTest, SetSystemDateAndTimeWritesUtcFieldByField) {
  const WallTime t = *ParseDateTime("2026-02-28T23:59:58Z");
  SoapRequest r = SetSystemDateAndTimeRequest(t + 400ms);  // whole seconds only
  EXPECT_EQ(r.action, "http://www.onvif.org/ver10/device/wsdl/SetSystemDateAndTime");
  Result<XmlDoc> doc = ParseXml(r.body_xml);
  ASSERT_TRUE(doc.ok()) << doc.status() << r.body_xml;
  pugi::xml_node root = (*doc)->document_element();
  EXPECT_EQ(ChildText(root, "DateTimeType"), "Manual");
  EXPECT_FALSE(Child(root, "TimeZone"));  // the camera's zone is kept
  pugi::xml_node utc = Child(root, "UTCDateTime");
  EXPECT_EQ(NamespaceUri(Child(utc, "Date")), "http://www.onvif.org/ver10/schema");
  EXPECT_EQ(ChildText(Child(utc, "Date"), "Year"), "2026");
  EXPECT_EQ(ChildText(Child(utc, "Date"), "Month"), "2");
  EXPECT_EQ(ChildText(Child(utc, "Date"), "Day"), "28");
  EXPECT_EQ(ChildText(Child(utc, "Time"), "Hour"), "23");
  EXPECT_EQ(ChildText(Child(utc, "Time"), "Minute"), "59");
  EXPECT_EQ(ChildText(Child(utc, "Time"), "Second"), "58");
  Result<XmlDoc> ntp = ParseXml(UseNtpRequest().body_xml);
  ASSERT_TRUE(ntp.ok());
  EXPECT_EQ(ChildText((*ntp)->document_element(), "DateTimeType"), "NTP");
}

TEST(OnvifDeviceTest, SetNtpNamesTheServersType) {
  struct Case {
    std::string server, type, field;
  };
  for (const Case& c : std::vector<Case>{{"192.0.2.1", "IPv4", "IPv4Address"},
                                         {"2001:db8::1", "IPv6", "IPv6Address"},
                                         {"ntp.example.org", "DNS", "DNSname"}}) {
    Result<SoapRequest> r = SetNtpRequest(c.server);
    ASSERT_TRUE(r.ok()) << r.status();
    Result<XmlDoc> doc = ParseXml(r->body_xml);
    ASSERT_TRUE(doc.ok()) << doc.status();
    pugi::xml_node manual = Child((*doc)->document_element(), "NTPManual");
    EXPECT_EQ(ChildText((*doc)->document_element(), "FromDHCP"), "false");
    EXPECT_EQ(ChildText(manual, "Type"), c.type);
    EXPECT_EQ(ChildText(manual, c.field), c.server);
  }
  for (const std::string& bad : std::vector<std::string>{"", "ntp server", "<x>", std::string(300, 'a')}) {
    EXPECT_FALSE(SetNtpRequest(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseDeviceAck(Soap12("<tds:SetNTPResponse/>"), "SetNTP").ok());
  EXPECT_FALSE(ParseDeviceAck(Soap12("<tds:GetNTPResponse/>"), "SetNTP").ok());
}

}  // namespace
}  // namespace sightline::onvif
