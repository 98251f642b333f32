#pragma once
// Server: the HTTP/1.1 + WebSocket server (Boost.Beast), optionally over TLS. Transport only:
// it parses requests, refuses what is malformed or over a limit, routes, runs handlers on a
// bounded blocking pool, applies Range to file responses, and writes responses (files with
// sendfile(2) on plain TCP). Auth, API and live view are built on it elsewhere.
//
// Every response gets "X-Content-Type-Options: nosniff" and "Referrer-Policy: no-referrer",
// HTML also a strict Content-Security-Policy, and under TLS Strict-Transport-Security. TLS is
// 1.2 or later with ECDHE key exchange and AEAD ciphers only. Limits and why: README.md in this folder.
//
// Threads: network work runs on the io_context given (any number of threads; one strand per
// connection); handlers run on the server's own pool of `blocking_threads` threads, never on
// the network threads. Start(), Stop(), port() and stats() may be called from any thread.
// Lifetime: the destructor calls Stop() and waits for running handlers to return; run the
// io_context until connections have closed if they should end cleanly.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "base/status.h"
#include "http/request_guard.h"
#include "http/router.h"

namespace sightline::http {

struct TlsOptions {
  std::string cert_chain_file;  // PEM: the certificate, then intermediates
  std::string private_key_file; // PEM
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // "host:port", "[::]:8080"; port 0 picks one
  std::optional<TlsOptions> tls;
  // At a cap a newcomer evicts the connection reading a request longest, else the longest
  // idle keep-alive; it is refused (503) only when every connection is busy.
  size_t max_connections = 256;
  size_t max_connections_per_ip = 32;     // per IPv4 /24 or IPv6 /64 (base/address_group.h)
  size_t header_limit_bytes = 8192;       // request line and fields; more gets 431
  size_t body_limit_bytes = 1 << 20;      // more gets 413
  // Smaller limits for the exact request paths named (the login: a few KiB), so that
  // unauthenticated routes cannot be handed a megabyte to hold (security-review-1 H1).
  std::map<std::string, size_t, std::less<>> body_limit_by_path;
  std::chrono::milliseconds header_timeout{10'000};  // a request's header must arrive within
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait; a body must arrive within
  std::chrono::milliseconds write_timeout{30'000};   // one write (a client that does not read)
  size_t blocking_threads = 4;
  // WebSocket.
  size_t websocket_max_message_bytes = 64 << 10;     // a larger message closes with 1009
  size_t websocket_queue_limit_bytes = 4 << 20;      // Send() refuses beyond (websocket.h)
  std::chrono::milliseconds websocket_idle_timeout{60'000};  // pinged at half; closed after
  // Refuses an upgrade whose Origin header names another host than the Host header (a page on
  // another site opening a socket with the user's cookies).
  bool websocket_check_origin = true;
  // Cross-site requests and unknown Host names, refused before any handler runs
  // (request_guard.h).
  RequestGuardOptions guard;
  // Told of every response once its status is final (101 for a WebSocket upgrade), with the
  // pattern of the route that matched (Request::route; empty when none did): for metrics.
  // Called on the connection's thread; must be thread-safe and must not block.
  std::function<void(std::string_view route, int status)> on_response;
};

struct ServerStats {
  uint64_t connections_open = 0;
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;   // over a cap with nothing to evict
  uint64_t connections_evicted = 0;   // closed at a cap to make room for a newcomer
  uint64_t requests = 0;
  uint64_t responses_1xx = 0;         // includes 101 WebSocket upgrades
  uint64_t responses_2xx = 0;
  uint64_t responses_3xx = 0;
  uint64_t responses_4xx = 0;
  uint64_t responses_5xx = 0;
  uint64_t websockets_open = 0;
};

class Server {
 public:
  Server(boost::asio::any_io_executor executor, ServerOptions options, Router router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS files, binds and listens, and starts accepting. The error names the address.
  Status Start();
  // Stops accepting and closes every connection (WebSockets without a close handshake).
  // Returns at once; safe to call more than once.
  void Stop();
  // The bound port (useful with port 0); 0 before Start().
  uint16_t port() const;
  ServerStats stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sightline::http
