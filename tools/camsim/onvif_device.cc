// The Device service (ONVIF Core spec section 8, tds): time, identity, capabilities and
// services, scopes, hostname.

#include <ctime>
#include <string>

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

std::string GetSystemDateAndTime(const OnvifCall& call) {
  // The camera's clock, clock_offset included: clients measure their offset from it to date
  // their UsernameTokens (libonvif getTimeOffset, npm onvif timeShift). TZ "GMT0" rather than
  // "UTC0", which libonvif reads as "local time believed to be UTC".
  const std::string when = DateTimeXml(call.camera_now);
  return "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
         "<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
         "<tt:TimeZone><tt:TZ>GMT0</tt:TZ></tt:TimeZone>"
         "<tt:UTCDateTime>" + when + "</tt:UTCDateTime><tt:LocalDateTime>" + when +
         "</tt:LocalDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>";
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
  if (op == "GetSystemDateAndTime") return GetSystemDateAndTime(call);
  if (op == "GetDeviceInformation") return GetDeviceInformation(device);
  if (op == "GetCapabilities") return GetCapabilities(device, call);
  if (op == "GetServices") return GetServices(device, call);
  if (op == "GetScopes") return GetScopes(device);
  if (op == "GetHostname") return GetHostname(device);
  return ActionNotSupported("Device service", op);
}

}  // namespace sightline::camsim
