#pragma once
// Request and Response: the values an HTTP handler sees and returns. Plain data, no sockets;
// the server (server.h) fills a Request from the wire and writes the Response back.
//
// Threads: a Request is owned by one connection and handed to one handler at a time; a
// Response is a value. Neither is shared between threads by the server.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sightline::http {

// Header fields in arrival order, looked up case-insensitively (RFC 9110 section 5.1).
class Headers {
 public:
  // Appends a field; an existing field with the same name is kept.
  void Add(std::string name, std::string value);
  // Replaces every field named `name` with one field.
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);
  bool Has(std::string_view name) const;
  // The first field named `name`, or "" when there is none.
  std::string_view Get(std::string_view name) const;
  std::optional<std::string_view> Find(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct StreamBody;        // stream_body.h
struct DeferredResponse;  // stream_body.h

struct Request {
  std::string method;          // as sent, case-sensitive (RFC 9110 section 9.1): "GET"
  std::string target;          // the raw request-target, for logs only
  std::string path;            // percent-decoded, normalised: "/", "/api/cameras/front"; no
                               // "." or ".." segments, no "//", no trailing "/", no NUL,
                               // no backslash, never from an encoded "/"
  std::multimap<std::string, std::string> query;    // decoded; "+" means space
  Headers headers;
  std::map<std::string, std::string> cookies;       // first of each name wins
  std::string body;
  std::string remote_address;  // the peer's IP address: "127.0.0.1", "::1"
  bool tls = false;
  std::map<std::string, std::string> params;        // filled by the Router from the pattern;
                                                    // a prefix route sets "*" to the rest
  // The pattern of the route that matched ("/api/cameras/{camera}", "/*"), set by the Router;
  // empty when none did. Points into the router, which outlives every request.
  std::string_view route;

  // The first query parameter `name`, or `fallback` when absent.
  std::string Query(std::string_view name, std::string_view fallback = "") const;
  std::vector<std::string> QueryAll(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  std::string_view Header(std::string_view name) const { return headers.Get(name); }
  // The cookie's value (quotes removed, not decoded), or "" when absent.
  std::string Cookie(std::string_view name) const;
  // The path parameter `name` ("{camera}" in the pattern), or "" when absent.
  std::string Param(std::string_view name) const;
  bool HasParam(std::string_view name) const { return params.count(std::string(name)) != 0; }
};

// A byte range of a file, sent zero-copy with sendfile(2) over plain TCP. The server opens
// the file when it sends the response; the range must lie within the file then (else 500).
// The server narrows it to the request's Range header (206/416) on its own.
struct FileBody {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string content_type;
};

struct Response {
  int status = 200;
  Headers headers;             // Content-Type and Content-Length are set by the server
  std::string body;            // ignored when `file` is set
  std::string content_type;    // of `body` or `stream`; empty means no Content-Type
  std::optional<FileBody> file;
  // A body made while it is sent, on the handler's executor (stream_body.h); `body` and
  // `file` are then ignored. Not narrowed by Range.
  std::shared_ptr<StreamBody> stream;
  // Set by Deferred(): the rest of the response is ignored.
  std::shared_ptr<DeferredResponse> deferred;

  static Response Json(int status, std::string json);
  static Response Text(int status, std::string text);  // text/plain; charset=utf-8
  static Response Html(int status, std::string html);  // text/html; charset=utf-8
  // {"error": message} with the message JSON-escaped.
  static Response Error(int status, std::string_view message);
  static Response File(FileBody file);                 // 200
  static Response Empty(int status);                   // e.g. 204, 304
  // The response `deferred->make` returns, made on `deferred->executor` (stream_body.h).
  static Response Deferred(std::shared_ptr<DeferredResponse> deferred);
};

// `s` as a JSON string literal with quotes, escaping what RFC 8259 section 7 requires.
std::string JsonQuote(std::string_view s);

}  // namespace sightline::http
