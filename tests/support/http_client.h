#pragma once
// A blocking HTTP/1.1 and WebSocket client for integration tests (Boost.Beast), talking to a
// `sightline run` on 127.0.0.1. One request per connection: simple and enough for tests.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace sightline::testing {

struct HttpReply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Sends the request and reads the whole reply (at most 256 MiB). Errors: connection refused,
// timeouts, a malformed reply.
Result<HttpReply> Fetch(uint16_t port, const HttpRequest& request,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
// Sends raw bytes and returns whatever the server answered before it closed (or the timeout).
Result<std::string> FetchRaw(uint16_t port, const std::string& bytes,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct WsMessage {
  std::string data;
  bool binary = false;
};

class WsClient {
 public:
  // Opens ws://127.0.0.1:port/target with the extra headers (e.g. a Cookie). A refused upgrade
  // gives an error whose message holds the HTTP status ("status 403").
  static Result<std::unique_ptr<WsClient>> Connect(
      uint16_t port, const std::string& target,
      const std::vector<std::pair<std::string, std::string>>& headers);
  ~WsClient();
  Result<WsMessage> Read(std::chrono::milliseconds timeout);
  Status SendText(const std::string& text);
  // After a Read failed because the server closed the socket: the code of its close frame
  // (RFC 6455 section 7.4), else 0.
  uint16_t close_code() const;

 private:
  struct Impl;
  explicit WsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sightline::testing
