// Fuzzes what the HTTP server does with a client's bytes before any handler runs: Beast's
// request parser with the server's default limits, then our conversion (target, query,
// cookies, Host), routing and the Origin check; the raw bytes also go straight to the target
// and cookie parsers. Checks: an accepted path is normalised and can name nothing outside its
// root (no "." or ".." segments, no "//", no NUL, backslash or control character); a
// serialized error response naming the path is well framed.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/request.h"
#include "http/router.h"
#include "http/target.h"
#include "http/wire.h"

namespace {

namespace beast = boost::beast;
namespace http = sightline::http;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckPath(const std::string& path) {
  Check(!path.empty() && path[0] == '/');
  Check(path == "/" || path.back() != '/');
  Check(path.find("//") == std::string::npos);
  for (unsigned char c : path) Check(c >= 0x20 && c != 0x7f && c != '\\');
  size_t pos = 1;
  while (pos < path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment = std::string_view(path).substr(pos, end - pos);
    Check(segment != "." && segment != "..");
    pos = end + 1;
  }
}

const http::Router& TestRouter() {
  static const http::Router* router = [] {
    auto* r = new http::Router();
    const http::Handler h = [](http::Request&) { return http::Response::Empty(204); };
    r->Add("GET", "/api/cameras/{camera}/recordings", h);
    r->Add("POST", "/api/cameras/{camera}", h);
    r->AddPrefix("GET", "/", h);
    r->AddWebSocket("/api/cameras/{camera}/live", [](http::Request&) -> std::variant<http::Response, http::WebSocketOpen> {
      return http::Response::Empty(403);
    });
    return r;
  }();
  return *router;
}

void CheckRequest(const http::BeastRequest& message) {
  sightline::Result<http::Request> r = http::RequestFromBeast(message, "192.0.2.1", false);
  if (!r.ok()) return;
  CheckPath(r->path);
  for (const auto& [k, v] : r->query) {
    Check(k.find('\0') == std::string::npos && v.find('\0') == std::string::npos);
  }
  const bool upgrade = http::IsWebSocketUpgrade(message);
  TestRouter().Resolve(*r, upgrade);
  for (const auto& [k, v] : r->params) {
    Check(v.find('/') == std::string::npos || k == "*");
    Check(v != ".." && v != ".");
  }
  if (const auto origin = r->headers.Find("Origin")) http::OriginMatchesHost(*origin, r->Header("Host"));
  http::Response error = http::Response::Error(400, r->path);
  http::ResponseHead head;
  head.content_length = error.body.size();
  sightline::Result<std::string> serialized = http::SerializeResponseHead(error, head);
  Check(serialized.ok());
  Check(serialized->find("\r\n\r\n") == serialized->size() - 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (sightline::Result<http::Target> t = http::ParseTarget(text); t.ok()) CheckPath(t->path);
  http::ParseCookies(text);

  // Pipelined requests, as the server reads them from one connection.
  beast::flat_buffer buffer;
  auto in = buffer.prepare(size);
  std::memcpy(in.data(), data, size);
  buffer.commit(size);
  for (int i = 0; i < 8 && buffer.size() > 0; ++i) {
    beast::http::request_parser<beast::http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(1 << 20);
    parser.eager(true);
    beast::error_code ec;
    const size_t used = parser.put(buffer.data(), ec);
    if (ec) break;  // need_more: the client stopped mid-request; else malformed or over a limit
    buffer.consume(used);
    if (!parser.is_done()) break;
    CheckRequest(parser.get());
  }
  return 0;
}
