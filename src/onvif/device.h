#pragma once
// The Device service (tds, http://www.onvif.org/ver10/device/wsdl): request builders and
// response parsers for GetSystemDateAndTime (the camera's clock), GetDeviceInformation,
// GetCapabilities and GetServices (where the other services are). Parsers take the bytes of a
// response; service addresses come back rebased onto the URL we reached the device at
// (xaddr.h). Pure.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "onvif/soap.h"
#include "onvif/wsse.h"
#include "onvif/xaddr.h"

namespace sightline::onvif {

// --- GetSystemDateAndTime (needs no authentication: ONVIF Core 5.9.1) ---

struct CameraClock {
  WallTime utc;           // the camera's UTCDateTime
  std::string time_zone;  // POSIX TZ as sent, e.g. "CST-8"; may be empty
  bool ntp = false;       // DateTimeType NTP (else Manual)
};

SoapRequest GetSystemDateAndTimeRequest();
// Needs UTCDateTime: a camera that sends only LocalDateTime gives no clock we can compare
// (its zone rules are not interpreted), and the error says so.
Result<CameraClock> ParseGetSystemDateAndTime(std::string_view response);
// camera − ours: add it to our clock to get the camera's (docs/design/onvif.md, invariant 4).
std::chrono::milliseconds ClockOffset(WallTime camera_utc, WallTime ours);

// --- Setting the camera's clock (issue 15: a camera off by more than a few seconds) ---

// SetSystemDateAndTime, Manual, to `utc` (whole seconds); the camera's time zone and daylight
// saving are left as they are (TimeZone is not sent).
SoapRequest SetSystemDateAndTimeRequest(WallTime utc);
// SetSystemDateAndTime with DateTimeType NTP: the camera follows its NTP server.
SoapRequest UseNtpRequest();
// SetNTP, not from DHCP: `server` is an IPv4 or IPv6 address or a DNS name (its type is
// written as ONVIF wants it). InvalidArgument for anything else (spaces, empty, over 255).
Result<SoapRequest> SetNtpRequest(std::string_view server);
// The empty answer of a Set operation, e.g. "SetNTP": OK, or the Fault's Status.
Status ParseDeviceAck(std::string_view response, std::string_view operation);

// --- GetDeviceInformation ---

struct DeviceInformation {
  std::string manufacturer;
  std::string model;
  std::string firmware_version;
  std::string serial_number;
  std::string hardware_id;
};

SoapRequest GetDeviceInformationRequest();
Result<DeviceInformation> ParseGetDeviceInformation(std::string_view response);

// --- Where the services are: GetServices (ONVIF 2.x) or GetCapabilities (1.x, fallback) ---

// The services Sightline uses; an empty `target` means absent. All rebased.
struct ServiceAddrs {
  HttpUrl device;
  HttpUrl media;   // Media1, Profile S
  HttpUrl media2;  // Media2, Profile T (H.265)
  HttpUrl events;
  HttpUrl ptz;
  HttpUrl imaging;
  bool has_media() const { return !media.target.empty(); }
  bool has_media2() const { return !media2.target.empty(); }
};

SoapRequest GetServicesRequest();
// `base` is the device service URL the request went to. A service whose XAddr cannot be used is
// left absent; a response without any usable XAddr is an error.
Result<ServiceAddrs> ParseGetServices(std::string_view response, const HttpUrl& base);

SoapRequest GetCapabilitiesRequest();
Result<ServiceAddrs> ParseGetCapabilities(std::string_view response, const HttpUrl& base);

}  // namespace sightline::onvif
