#pragma once
// The seam between Beast's message types and ours: a parsed Beast request becomes a Request
// (with the checks a handler must not have to repeat), and a Response becomes the bytes of a
// status line and header block. Pure: no sockets, so the request half is fuzzed.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "base/result.h"
#include "http/request.h"

namespace sightline::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Fills method, target, path, query, headers, cookies and body. InvalidArgument (the server
// answers 400) for a bad target (see ParseTarget) or an HTTP/1.1 request without exactly one
// Host field (RFC 9112 section 3.2).
Result<Request> RequestFromBeast(const BeastRequest& message, std::string remote_address, bool tls);

// True for a WebSocket opening handshake (RFC 6455 section 4.2.1): GET, HTTP/1.1,
// "Connection: upgrade" and "Upgrade: websocket".
bool IsWebSocketUpgrade(const BeastRequest& message);

// True when the Origin field of a WebSocket upgrade (RFC 6454: "https://host[:port]") names
// the host and port of the Host field. "null" and malformed origins never match.
bool OriginMatchesHost(std::string_view origin, std::string_view host);

struct ResponseHead {
  uint64_t content_length = 0;
  bool close = false;             // adds "Connection: close"
  bool keep_alive_1_0 = false;    // an HTTP/1.0 keep-alive: adds "Connection: keep-alive"
  std::string date;               // FormatHttpDate of now
  bool tls = false;               // adds Strict-Transport-Security
};

// "HTTP/1.1 200 OK\r\n...\r\n\r\n" with the response's fields, Content-Type, Content-Length
// (not for 1xx, 204 and 304: RFC 9110 sections 8.6 and 15.4.5), Date, and the security
// fields every response carries (nosniff; the Content-Security-Policy for HTML unless the
// handler set one; Referrer-Policy; HSTS under TLS). Internal error when a handler's field has a bad name, or CR, LF or NUL in
// its value (response splitting).
Result<std::string> SerializeResponseHead(const Response& response, const ResponseHead& head);

// The Content-Security-Policy sent with HTML.
extern const char kHtmlContentSecurityPolicy[];

}  // namespace sightline::http
