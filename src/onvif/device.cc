#include "onvif/device.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

SoapRequest DeviceRequest(std::string_view operation, std::string_view inner = "") {
  return {std::string(kDeviceNs) + "/" + std::string(operation),
          "<tds:" + std::string(operation) + " xmlns:tds=\"" + std::string(kDeviceNs) + "\">" + std::string(inner) +
              "</tds:" + std::string(operation) + ">"};
}

Result<int> ChildInt(pugi::xml_node parent, std::string_view name, int lo, int hi, std::string_view where) {
  const std::string text = ChildText(parent, name);
  int value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || value < lo || value > hi) {
    return InvalidArgumentError(std::string(where) + ": " + std::string(name) + " '" + text.substr(0, 20) +
                                "' is not a number in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return value;
}

Result<WallTime> ReadUtcDateTime(pugi::xml_node utc) {
  constexpr std::string_view kWhere = "GetSystemDateAndTime UTCDateTime";
  pugi::xml_node date = Child(utc, "Date");
  pugi::xml_node time = Child(utc, "Time");
  ASSIGN_OR_RETURN(int year, ChildInt(date, "Year", 1970, 9999, kWhere));
  ASSIGN_OR_RETURN(int month, ChildInt(date, "Month", 1, 12, kWhere));
  ASSIGN_OR_RETURN(int day, ChildInt(date, "Day", 1, 31, kWhere));
  ASSIGN_OR_RETURN(int hour, ChildInt(time, "Hour", 0, 23, kWhere));
  ASSIGN_OR_RETURN(int minute, ChildInt(time, "Minute", 0, 59, kWhere));
  ASSIGN_OR_RETURN(int second, ChildInt(time, "Second", 0, 60, kWhere));
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return InvalidArgumentError(std::string(kWhere) + ": no such day");
  return WallTime(sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second));
}

// XAddr of one service, rebased; empty when absent or unusable (a bad XAddr of a service we may
// not even use must not fail the device).
HttpUrl UsableXAddr(std::string_view xaddr, const HttpUrl& base) {
  if (xaddr.empty()) return {};
  Result<HttpUrl> r = RebaseXAddr(xaddr, base);
  return r.ok() ? *r : HttpUrl{};
}

bool AnyService(const ServiceAddrs& s) {
  for (const HttpUrl* u : {&s.device, &s.media, &s.media2, &s.events, &s.ptz, &s.imaging}) {
    if (!u->target.empty()) return true;
  }
  return false;
}

}  // namespace

SoapRequest GetSystemDateAndTimeRequest() { return DeviceRequest("GetSystemDateAndTime"); }

Result<CameraClock> ParseGetSystemDateAndTime(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetSystemDateAndTimeResponse"));
  pugi::xml_node sdt = Child(r.body, "SystemDateAndTime");
  if (!sdt) return InvalidArgumentError("GetSystemDateAndTime: no SystemDateAndTime");
  pugi::xml_node utc = Child(sdt, "UTCDateTime");
  if (!utc) {
    return InvalidArgumentError(std::string("GetSystemDateAndTime: no UTCDateTime") +
                                (Child(sdt, "LocalDateTime") ? " (only LocalDateTime, whose zone is not interpreted)" : ""));
  }
  CameraClock clock;
  ASSIGN_OR_RETURN(clock.utc, ReadUtcDateTime(utc));
  clock.time_zone = ChildText(Child(sdt, "TimeZone"), "TZ").substr(0, 100);
  clock.ntp = ChildText(sdt, "DateTimeType") == "NTP";
  return clock;
}

std::chrono::milliseconds ClockOffset(WallTime camera_utc, WallTime ours) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(camera_utc - ours);
}

namespace {

constexpr std::string_view kSchemaNs = "http://www.onvif.org/ver10/schema";

std::string UtcDateTimeXml(WallTime utc) {
  using namespace std::chrono;
  const sys_days day = floor<days>(utc);
  const year_month_day ymd(day);
  const hh_mm_ss<seconds> hms(floor<seconds>(utc - day));
  auto tag = [](std::string_view name, long v) {
    return "<tt:" + std::string(name) + ">" + std::to_string(v) + "</tt:" + std::string(name) + ">";
  };
  return "<tds:UTCDateTime><tt:Date>" + tag("Year", static_cast<int>(ymd.year())) +
         tag("Month", static_cast<unsigned>(ymd.month())) + tag("Day", static_cast<unsigned>(ymd.day())) +
         "</tt:Date><tt:Time>" + tag("Hour", hms.hours().count()) + tag("Minute", hms.minutes().count()) +
         tag("Second", static_cast<long>(hms.seconds().count())) + "</tt:Time></tds:UTCDateTime>";
}

SoapRequest SetDateTime(std::string_view type, std::string_view rest) {
  SoapRequest r = DeviceRequest("SetSystemDateAndTime", "<tds:DateTimeType>" + std::string(type) +
                                                             "</tds:DateTimeType><tds:DaylightSavings>false"
                                                             "</tds:DaylightSavings>" + std::string(rest));
  // The tt: prefix of the date and time elements.
  r.body_xml.insert(r.body_xml.find('>'), " xmlns:tt=\"" + std::string(kSchemaNs) + "\"");
  return r;
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_';
}

}  // namespace

SoapRequest SetSystemDateAndTimeRequest(WallTime utc) { return SetDateTime("Manual", UtcDateTimeXml(utc)); }

SoapRequest UseNtpRequest() { return SetDateTime("NTP", ""); }

Result<SoapRequest> SetNtpRequest(std::string_view server) {
  if (server.empty() || server.size() > 255 || !std::all_of(server.begin(), server.end(), IsHostChar)) {
    return InvalidArgumentError("NTP server '" + std::string(server.substr(0, 60)) +
                                "' is not an IP address or a DNS name");
  }
  const bool v6 = server.find(':') != std::string_view::npos;
  const bool v4 = !v6 && std::all_of(server.begin(), server.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
  const std::string type = v6 ? "IPv6" : v4 ? "IPv4" : "DNS";
  const std::string field = v6 ? "IPv6Address" : v4 ? "IPv4Address" : "DNSname";
  SoapRequest r = DeviceRequest("SetNTP", "<tds:FromDHCP>false</tds:FromDHCP><tds:NTPManual><tt:Type>" + type +
                                              "</tt:Type><tt:" + field + ">" + std::string(server) + "</tt:" + field +
                                              "></tds:NTPManual>");
  r.body_xml.insert(r.body_xml.find('>'), " xmlns:tt=\"" + std::string(kSchemaNs) + "\"");
  return r;
}

Status ParseDeviceAck(std::string_view response, std::string_view operation) {
  return ParseResponse(response, std::string(operation) + "Response").status();
}

SoapRequest GetDeviceInformationRequest() { return DeviceRequest("GetDeviceInformation"); }

Result<DeviceInformation> ParseGetDeviceInformation(std::string_view response) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetDeviceInformationResponse"));
  DeviceInformation info;
  // Bounded: these go into tables and logs.
  info.manufacturer = ChildText(r.body, "Manufacturer").substr(0, 200);
  info.model = ChildText(r.body, "Model").substr(0, 200);
  info.firmware_version = ChildText(r.body, "FirmwareVersion").substr(0, 200);
  info.serial_number = ChildText(r.body, "SerialNumber").substr(0, 200);
  info.hardware_id = ChildText(r.body, "HardwareId").substr(0, 200);
  return info;
}

SoapRequest GetServicesRequest() {
  return DeviceRequest("GetServices", "<tds:IncludeCapability>false</tds:IncludeCapability>");
}

Result<ServiceAddrs> ParseGetServices(std::string_view response, const HttpUrl& base) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetServicesResponse"));
  ServiceAddrs out;
  for (pugi::xml_node s : r.body.children()) {
    if (s.type() != pugi::node_element || LocalName(s.name()) != "Service") continue;
    const std::string ns = ChildText(s, "Namespace");
    HttpUrl* slot = ns == kDeviceNs    ? &out.device
                    : ns == kMedia1Ns  ? &out.media
                    : ns == kMedia2Ns  ? &out.media2
                    : ns == kEventsNs  ? &out.events
                    : ns == kPtzNs     ? &out.ptz
                    : ns == kImagingNs ? &out.imaging
                                       : nullptr;
    if (slot != nullptr && slot->target.empty()) *slot = UsableXAddr(ChildText(s, "XAddr"), base);
  }
  if (!AnyService(out)) return InvalidArgumentError("GetServices: no service with a usable XAddr");
  if (out.device.target.empty()) out.device = base;
  return out;
}

SoapRequest GetCapabilitiesRequest() {
  return DeviceRequest("GetCapabilities", "<tds:Category>All</tds:Category>");
}

Result<ServiceAddrs> ParseGetCapabilities(std::string_view response, const HttpUrl& base) {
  ASSIGN_OR_RETURN(SoapResponse r, ParseResponse(response, "GetCapabilitiesResponse"));
  pugi::xml_node caps = Child(r.body, "Capabilities");
  if (!caps) return InvalidArgumentError("GetCapabilities: no Capabilities");
  ServiceAddrs out;
  out.device = UsableXAddr(ChildText(Child(caps, "Device"), "XAddr"), base);
  out.media = UsableXAddr(ChildText(Child(caps, "Media"), "XAddr"), base);
  out.events = UsableXAddr(ChildText(Child(caps, "Events"), "XAddr"), base);
  out.ptz = UsableXAddr(ChildText(Child(caps, "PTZ"), "XAddr"), base);
  out.imaging = UsableXAddr(ChildText(Child(caps, "Imaging"), "XAddr"), base);
  if (!AnyService(out)) return InvalidArgumentError("GetCapabilities: no service with a usable XAddr");
  if (out.device.target.empty()) out.device = base;
  return out;
}

}  // namespace sightline::onvif
