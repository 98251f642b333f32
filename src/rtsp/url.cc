#include "rtsp/url.h"

#include <cctype>
#include <charconv>

#include "base/percent_decode.h"

namespace sightline::rtsp {
namespace {

// The URL for an error message, with any user:password@ replaced by ***@: URLs come from
// config files and their messages end up in logs.
std::string Redacted(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t slash = url.find('/', start);
  const size_t at = url.rfind('@', slash == std::string_view::npos ? url.npos : slash);
  if (at != std::string_view::npos && at >= start) {
    return std::string(url.substr(0, start)) + "***" + std::string(url.substr(at, 200));
  }
  return std::string(url.substr(0, 200));
}

}  // namespace

Result<RtspUrl> ParseRtspUrl(std::string_view url) {
  auto fail = [&](std::string_view why) {
    return InvalidArgumentError("RTSP URL '" + Redacted(url) + "': " + std::string(why));
  };
  constexpr std::string_view kScheme = "rtsp://";
  if (url.size() < kScheme.size()) return fail("must start with rtsp://");
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != kScheme[i]) return fail("must start with rtsp://");
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  RtspUrl out;
  out.path = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));

  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    ASSIGN_OR_RETURN(out.credentials.user, PercentDecode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos) {
      ASSIGN_OR_RETURN(out.credentials.password, PercentDecode(userinfo.substr(colon + 1)));
    }
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("junk after IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return fail("no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return fail("bad port '" + std::string(port_text) + "'");
    }
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

std::string RtspUrl::RequestUrl() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "rtsp://" + h + ":" + std::to_string(port) + path;
}

}  // namespace sightline::rtsp
