// The Device service (ONVIF Core spec section 8, tds): time, identity, capabilities and
// services, scopes, hostname; setting the clock (Manual or NTP).

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "onvif/wsse.h"
#include "onvif/xml.h"
#include "tools/camsim/onvif_services.h"

namespace sightline::camsim {
namespace {

using onvif::XmlEscape;

std::string Tag(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + std::string(text) + "</" + std::string(name) + ">";
}

std::string DateTimeXml(WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return "<tt:Time>" + Tag("tt:Hour", std::to_string(tm.tm_hour)) +
         Tag("tt:Minute", std::to_string(tm.tm_min)) +
         Tag("tt:Second", std::to_string(tm.tm_sec)) + "</tt:Time><tt:Date>" +
         Tag("tt:Year", std::to_string(tm.tm_year + 1900)) +
         Tag("tt:Month", std::to_string(tm.tm_mon + 1)) +
         Tag("tt:Day", std::to_string(tm.tm_mday)) + "</tt:Date>";
}

std::string GetSystemDateAndTime(const OnvifDevice& device, const OnvifCall& call) {
  // The camera's clock, clock_offset included: clients measure their offset from it to date
  // their UsernameTokens (libonvif getTimeOffset, npm onvif timeShift). TZ "GMT0" rather than
  // "UTC0", which libonvif reads as "local time believed to be UTC".
  const std::string when = DateTimeXml(call.camera_now);
  return "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
         "<tt:DateTimeType>" + std::string(device.ntp ? "NTP" : "Manual") +
         "</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
         "<tt:TimeZone><tt:TZ>GMT0</tt:TZ></tt:TimeZone>"
         "<tt:UTCDateTime>" + when + "</tt:UTCDateTime><tt:LocalDateTime>" + when +
         "</tt:LocalDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>";
}

// Manual: the clock jumps to the UTCDateTime given (the camera's TZ is kept); NTP: camsim's
// "NTP server" is our own clock, so the offset goes to 0 once a server is set.
SoapOutcome SetSystemDateAndTime(OnvifDevice& device, const OnvifCall& call) {
  const pugi::xml_node op = call.request.operation;
  const std::string type = onvif::ChildText(op, "DateTimeType");
  if (type == "NTP") {
    if (device.ntp_server.empty()) return InvalidArg("ter:NtpServerUndefined", "no NTP server is set (SetNTP)");
    device.ntp = true;
    device.clock_offset = std::chrono::milliseconds(0);
    return std::string("<tds:SetSystemDateAndTimeResponse/>");
  }
  if (type != "Manual") return InvalidArg("ter:InvalidDateTime", "DateTimeType must be Manual or NTP");
  const pugi::xml_node utc = onvif::Child(op, "UTCDateTime");
  const pugi::xml_node date = onvif::Child(utc, "Date");
  const pugi::xml_node time = onvif::Child(utc, "Time");
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02dZ", std::atoi(onvif::ChildText(date, "Year").c_str()),
                std::atoi(onvif::ChildText(date, "Month").c_str()), std::atoi(onvif::ChildText(date, "Day").c_str()),
                std::atoi(onvif::ChildText(time, "Hour").c_str()), std::atoi(onvif::ChildText(time, "Minute").c_str()),
                std::atoi(onvif::ChildText(time, "Second").c_str()));
  Result<WallTime> when = onvif::ParseDateTime(text);
  if (!utc || !when.ok()) return InvalidArg("ter:InvalidDateTime", std::string("no valid UTCDateTime: ") + text);
  device.ntp = false;
  device.clock_offset =
      std::chrono::duration_cast<std::chrono::milliseconds>(*when - (call.camera_now - device.clock_offset));
  return std::string("<tds:SetSystemDateAndTimeResponse/>");
}

SoapOutcome SetNtp(OnvifDevice& device, const OnvifCall& call) {
  const pugi::xml_node manual = onvif::Child(call.request.operation, "NTPManual");
  std::string server;
  for (std::string_view field : {"IPv4Address", "IPv6Address", "DNSname"}) {
    if (server.empty()) server = onvif::ChildText(manual, field);
  }
  if (server.empty() || server.size() > 255) return InvalidArg("ter:InvalidArgVal", "NTPManual has no server");
  device.ntp_server = server;
  return std::string("<tds:SetNTPResponse/>");
}

std::string GetNtp(const OnvifDevice& device) {
  return "<tds:GetNTPResponse><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>" +
         (device.ntp_server.empty() ? std::string()
                                    : "<tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>" + XmlEscape(device.ntp_server) +
                                          "</tt:DNSname></tt:NTPManual>") +
         "</tds:NTPInformation></tds:GetNTPResponse>";
}

std::string GetDeviceInformation(const OnvifDevice& device) {
  return "<tds:GetDeviceInformationResponse><tds:Manufacturer>Sightline</tds:Manufacturer>"
         "<tds:Model>camsim</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
         "<tds:SerialNumber>" + XmlEscape(device.name) + "</tds:SerialNumber>"
         "<tds:HardwareId>camsim</tds:HardwareId></tds:GetDeviceInformationResponse>";
}

std::string GetCapabilities(const OnvifDevice& device, const OnvifCall& call) {
  auto xaddr = [&](std::string_view service) {
    return Tag("tt:XAddr", XmlEscape(call.ServiceUrl(device, service)));
  };
  return "<tds:GetCapabilitiesResponse><tds:Capabilities>"
         "<tt:Device>" + xaddr(kServiceDevice) +
         "<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve>"
         "<tt:DiscoveryBye>true</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery>"
         "<tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging>"
         "<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>2"
         "</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System></tt:Device>"
         "<tt:Media>" + xaddr(kServiceMedia) +
         "<tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>"
         "<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP>"
         "</tt:StreamingCapabilities></tt:Media>"
         "<tt:Events>" + xaddr(kServiceEvents) +
         "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
         "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
         "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
         "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>"
         "<tt:PTZ>" + xaddr(kServicePtz) + "</tt:PTZ>"
         "</tds:Capabilities></tds:GetCapabilitiesResponse>";
}

std::string ServiceXml(const OnvifDevice& device, const OnvifCall& call, std::string_view ns,
                       std::string_view service, std::string_view capabilities, bool include) {
  return "<tds:Service>" + Tag("tds:Namespace", ns) +
         Tag("tds:XAddr", XmlEscape(call.ServiceUrl(device, service))) +
         (include ? Tag("tds:Capabilities", capabilities) : std::string()) +
         "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>";
}

std::string GetServices(const OnvifDevice& device, const OnvifCall& call) {
  const bool include = onvif::ChildText(call.request.operation, "IncludeCapability") == "true";
  const std::string profiles = std::to_string(device.streams.size());
  return "<tds:GetServicesResponse>" +
         ServiceXml(device, call, kNsDevice, kServiceDevice,
                    "<tds:Capabilities><tds:Network IPFilter=\"false\" ZeroConfiguration=\"false\""
                    " IPVersion6=\"false\" DynDNS=\"false\"/><tds:Security UsernameToken=\"true\""
                    " HttpDigest=\"true\"/><tds:System DiscoveryResolve=\"false\" "
                    "DiscoveryBye=\"true\" RemoteDiscovery=\"false\"/></tds:Capabilities>",
                    include) +
         ServiceXml(device, call, kNsMedia, kServiceMedia,
                    "<trt:Capabilities SnapshotUri=\"false\" Rotation=\"false\">"
                    "<trt:ProfileCapabilities MaximumNumberOfProfiles=\"" + profiles +
                        "\"/><trt:StreamingCapabilities RTPMulticast=\"false\" RTP_TCP=\"true\" "
                        "RTP_RTSP_TCP=\"true\"/></trt:Capabilities>",
                    include) +
         ServiceXml(device, call, kNsMedia2, kServiceMedia2,
                    "<tr2:Capabilities SnapshotUri=\"false\" Rotation=\"false\">"
                    "<tr2:ProfileCapabilities MaximumNumberOfProfiles=\"" + profiles +
                        "\"/><tr2:StreamingCapabilities RTSPStreaming=\"true\" "
                        "RTPMulticast=\"false\"/></tr2:Capabilities>",
                    include) +
         ServiceXml(device, call, kNsEvents, kServiceEvents,
                    "<tev:Capabilities WSSubscriptionPolicySupport=\"false\" WSPullPointSupport=\"true\""
                    " WSPausableSubscriptionManagerInterfaceSupport=\"false\"/>",
                    include) +
         ServiceXml(device, call, kNsPtz, kServicePtz,
                    "<tptz:Capabilities EFlip=\"false\" Reverse=\"false\" GetCompatibleConfigurations"
                    "=\"false\" MoveStatus=\"true\" StatusPosition=\"true\"/>",
                    include) +
         "</tds:GetServicesResponse>";
}

std::string GetScopes(const OnvifDevice& device) {
  std::string out = "<tds:GetScopesResponse>";
  for (const std::string& scope : DeviceScopes(device)) {
    out += "<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef>" + Tag("tt:ScopeItem", XmlEscape(scope)) +
           "</tds:Scopes>";
  }
  return out + "</tds:GetScopesResponse>";
}

std::string GetHostname(const OnvifDevice& device) {
  return "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>" +
         Tag("tt:Name", XmlEscape(device.name)) +
         "</tds:HostnameInformation></tds:GetHostnameResponse>";
}

}  // namespace

SoapOutcome HandleDeviceService(OnvifDevice& device, const OnvifCall& call) {
  const std::string_view op = call.request.operation_name();
  if (op == "GetSystemDateAndTime") return GetSystemDateAndTime(device, call);
  if (op == "SetSystemDateAndTime") return SetSystemDateAndTime(device, call);
  if (op == "SetNTP") return SetNtp(device, call);
  if (op == "GetNTP") return GetNtp(device);
  if (op == "GetDeviceInformation") return GetDeviceInformation(device);
  if (op == "GetCapabilities") return GetCapabilities(device, call);
  if (op == "GetServices") return GetServices(device, call);
  if (op == "GetScopes") return GetScopes(device);
  if (op == "GetHostname") return GetHostname(device);
  return ActionNotSupported("Device service", op);
}

}  // namespace sightline::camsim
