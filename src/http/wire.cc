#include "http/wire.h"

#include <boost/beast/http/status.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "http/target.h"

namespace sightline::http {

namespace beast = boost::beast;

// The brief's policy for the single-page app, plus the directives that do not fall back to
// default-src: no framing (clickjacking), no <base> or form posts elsewhere. connect-src 'self'
// covers the live view's ws:/wss: to this origin (CSP Level 3, section 6.7.2.5); sockets to
// other hosts, a way to carry data out after an injection, are not allowed.
const char kHtmlContentSecurityPolicy[] =
    "default-src 'self'; media-src 'self' blob:; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'";

namespace {

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return beast::iequals(a, b);
}

// Fields the server computes itself; a handler's copy would contradict the framing.
bool IsFramingField(std::string_view name) {
  for (std::string_view f : {"Content-Length", "Transfer-Encoding", "Connection", "Date", "Keep-Alive"}) {
    if (EqualsIgnoreCase(name, f)) return true;
  }
  return false;
}

}  // namespace

Result<Request> RequestFromBeast(const BeastRequest& message, std::string remote_address, bool tls) {
  Request r;
  r.method = std::string(message.method_string());
  r.target = std::string(message.target());
  Result<Target> target = ParseTarget(r.target);
  if (!target.ok()) return std::move(target).status().WithContext("request-target");
  r.path = std::move(target->path);
  r.query = std::move(target->query);
  if (message.version() >= 11 && message.count(beast::http::field::host) != 1) {
    return InvalidArgumentError("HTTP/1.1 request needs exactly one Host field");
  }
  std::string cookie_header;
  for (const auto& field : message) {
    r.headers.Add(std::string(field.name_string()), std::string(field.value()));
    if (field.name() == beast::http::field::cookie) {
      if (!cookie_header.empty()) cookie_header += "; ";
      cookie_header += field.value();
    }
  }
  r.cookies = ParseCookies(cookie_header);
  r.body = message.body();
  r.remote_address = std::move(remote_address);
  r.tls = tls;
  return r;
}

bool IsWebSocketUpgrade(const BeastRequest& message) {
  return beast::websocket::is_upgrade(message);
}

bool OriginMatchesHost(std::string_view origin, std::string_view host) {
  const size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || host.empty()) return false;
  const std::string_view authority = origin.substr(scheme_end + 3);
  if (authority.empty() || authority.find_first_of("/?#@") != std::string_view::npos) return false;
  return EqualsIgnoreCase(authority, host);
}

Result<std::string> SerializeResponseHead(const Response& response, const ResponseHead& head) {
  const int status = response.status;
  if (status < 100 || status > 599) {
    return InternalError("response status " + std::to_string(status) + " out of range");
  }
  std::string out = "HTTP/1.1 " + std::to_string(status);
  const beast::http::status known = beast::http::int_to_status(static_cast<unsigned>(status));
  out += ' ';
  if (known != beast::http::status::unknown) out += beast::http::obsolete_reason(known);
  out += "\r\n";

  const std::string& content_type = response.file ? response.file->content_type : response.content_type;
  bool has_nosniff = false;
  bool has_csp = false;
  bool has_referrer_policy = false;
  bool has_content_type = false;
  for (const auto& [name, value] : response.headers.fields()) {
    if (!IsToken(name)) return InternalError("response field name '" + name + "' is not a token");
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return InternalError("response field " + name + " has CR, LF or NUL in its value");
    }
    if (IsFramingField(name)) continue;
    if (EqualsIgnoreCase(name, "Content-Type")) {
      if (!content_type.empty()) continue;
      has_content_type = true;
    }
    has_nosniff |= EqualsIgnoreCase(name, "X-Content-Type-Options");
    has_csp |= EqualsIgnoreCase(name, "Content-Security-Policy");
    has_referrer_policy |= EqualsIgnoreCase(name, "Referrer-Policy");
    out += name + ": " + value + "\r\n";
  }
  if (!content_type.empty()) {
    if (content_type.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return InternalError("Content-Type has CR, LF or NUL");
    }
    out += "Content-Type: " + content_type + "\r\n";
  }
  const std::string_view effective_type =
      !content_type.empty() ? std::string_view(content_type) : has_content_type ? response.headers.Get("Content-Type") : "";
  if (!has_nosniff) out += "X-Content-Type-Options: nosniff\r\n";
  if (!has_referrer_policy) out += "Referrer-Policy: no-referrer\r\n";
  // A year; no includeSubDomains: other hosts of the domain are not ours to decide for.
  if (head.tls) out += "Strict-Transport-Security: max-age=31536000\r\n";
  const bool html = effective_type.size() >= 9 && EqualsIgnoreCase(effective_type.substr(0, 9), "text/html");
  if (html && !has_csp) {
    out += "Content-Security-Policy: ";
    out += kHtmlContentSecurityPolicy;
    out += "\r\n";
  }
  const bool bodiless_status = status < 200 || status == 204 || status == 304;
  if (!bodiless_status) out += "Content-Length: " + std::to_string(head.content_length) + "\r\n";
  if (!head.date.empty()) out += "Date: " + head.date + "\r\n";
  if (head.close) {
    out += "Connection: close\r\n";
  } else if (head.keep_alive_1_0) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace sightline::http
