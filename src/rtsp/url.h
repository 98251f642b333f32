#pragma once
// rtsp:// URLs (RFC 2326 section 3.2): host, port (default 554), path and optional
// percent-encoded user:password. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "rtsp/auth.h"

namespace sightline::rtsp {

struct RtspUrl {
  std::string host;       // without brackets for IPv6
  uint16_t port = 554;
  std::string path;       // "/..." including any query; "/" when absent
  Credentials credentials;  // from the userinfo part, decoded; empty when absent

  // The URL without userinfo, as sent in requests.
  std::string RequestUrl() const;
};

Result<RtspUrl> ParseRtspUrl(std::string_view url);

}  // namespace sightline::rtsp
