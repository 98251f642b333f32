#pragma once
// Service addresses (XAddrs) of ONVIF devices, and the invariant that keeps them usable: an
// XAddr a device reports is never used as given. Cameras report internal IPs behind NAT, the
// wrong port after port forwarding, "localhost", or a bare path (go2rtc#884). Every XAddr is
// REBASED onto the scheme://host:port the client actually reached the device at, keeping only
// the XAddr's path and query (docs/design/onvif.md, invariant 1). Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::onvif {

// An http:// or https:// URL split for a request.
struct HttpUrl {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // without brackets for IPv6
  uint16_t port = 80;  // 80 or 443 when absent
  std::string target;  // "/path?query", "/" when absent

  // "scheme://host:port" (brackets around an IPv6 host; the port always written).
  std::string Origin() const;
  // Origin() + target.
  std::string ToString() const;
};

// Parses an absolute http(s) URL. Userinfo ("user:pass@") is refused: credentials never travel
// in URLs here. Errors quote the URL (cut to 100 bytes) and say what is wrong.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// The device service URL for what a user typed: "10.0.0.5", "10.0.0.5:8080", "[fd00::5]:80"
// or a full "http://host:port/path". A bare host gets http, port 80 and the standard path
// /onvif/device_service.
Result<HttpUrl> DeviceServiceUrl(std::string_view host_or_url);

// `xaddr` (absolute URL or a path) rebased onto `base`'s scheme, host and port. An XAddr that
// is empty, has no path, or is neither a URL nor a path starting with '/' is an error.
Result<HttpUrl> RebaseXAddr(std::string_view xaddr, const HttpUrl& base);

}  // namespace sightline::onvif
