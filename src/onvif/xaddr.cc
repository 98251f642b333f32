#include "onvif/xaddr.h"

#include <charconv>

namespace sightline::onvif {
namespace {

std::string Quoted(std::string_view url) {
  return "'" + std::string(url.substr(0, 100)) + (url.size() > 100 ? "...'" : "'");
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '%';
}

// Splits "host[:port]" or "[v6][:port]" into out->host and out->port.
Status ParseAuthority(std::string_view authority, std::string_view url, HttpUrl* out) {
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("URL " + Quoted(url) + ": credentials in the URL are not accepted");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("URL " + Quoted(url) + ": unclosed '['");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidArgumentError("URL " + Quoted(url) + ": text after ']'");
      port = rest.substr(1);
    }
    for (char c : host) {
      if (!(IsHostChar(c) || c == ':')) return InvalidArgumentError("URL " + Quoted(url) + ": bad IPv6 host");
    }
  } else {
    const size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    for (char c : host) {
      if (!IsHostChar(c)) return InvalidArgumentError("URL " + Quoted(url) + ": bad character in the host");
    }
  }
  if (host.empty()) return InvalidArgumentError("URL " + Quoted(url) + ": no host");
  out->host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return InvalidArgumentError("URL " + Quoted(url) + ": bad port '" + std::string(port.substr(0, 10)) + "'");
    }
    out->port = static_cast<uint16_t>(value);
  }
  return Status::Ok();
}

bool HasControlOrSpace(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string HttpUrl::Origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string HttpUrl::ToString() const { return Origin() + target; }

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  HttpUrl out;
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return InvalidArgumentError("URL " + Quoted(url) + ": no scheme");
  std::string scheme;
  for (char c : url.substr(0, sep)) scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (scheme != "http" && scheme != "https") {
    return InvalidArgumentError("URL " + Quoted(url) + ": scheme '" + scheme.substr(0, 10) + "' is not http(s)");
  }
  if (HasControlOrSpace(url)) return InvalidArgumentError("URL " + Quoted(url) + ": spaces or control characters");
  out.scheme = scheme;
  out.port = scheme == "https" ? 443 : 80;
  std::string_view rest = url.substr(sep + 3);
  const size_t slash = rest.find_first_of("/?#");
  RETURN_IF_ERROR(ParseAuthority(rest.substr(0, slash), url, &out));
  std::string_view target = slash == std::string_view::npos ? "/" : rest.substr(slash);
  target = target.substr(0, target.find('#'));
  out.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  return out;
}

Result<HttpUrl> DeviceServiceUrl(std::string_view host_or_url) {
  if (host_or_url.find("://") != std::string_view::npos) return ParseHttpUrl(host_or_url);
  HttpUrl out;
  out.scheme = "http";
  RETURN_IF_ERROR(ParseAuthority(host_or_url, host_or_url, &out));
  out.target = "/onvif/device_service";
  return out;
}

Result<HttpUrl> RebaseXAddr(std::string_view xaddr, const HttpUrl& base) {
  HttpUrl out = base;
  if (xaddr.empty()) return InvalidArgumentError("XAddr: empty");
  if (xaddr.front() == '/') {
    if (HasControlOrSpace(xaddr)) return InvalidArgumentError("XAddr " + Quoted(xaddr) + ": spaces or control characters");
    out.target = std::string(xaddr.substr(0, xaddr.find('#')));
    return out;
  }
  Result<HttpUrl> given = ParseHttpUrl(xaddr);
  if (!given.ok()) return std::move(given).status().WithContext("XAddr");
  out.target = given->target;
  return out;
}

}  // namespace sightline::onvif
