#pragma once
// DelayProxy: a TCP proxy that adds a fixed one-way delay, for the multi-site test bed
// (docs/design/multisite.md, "Test bed"): this kernel has no netem, so latency comes from
// user space. Each accepted connection is forwarded to one target; every chunk read from one
// side is written to the other `one_way_delay` after it was read, in order. While stalled, the
// proxy writes nothing (connections stay open, data waits); beyond `max_queued_bytes` per
// direction it stops reading, so TCP's own flow control pushes back on the sender.
//
// Threads: everything runs on the io_context given to Start, which must run on one thread;
// SetStalled may be called from any thread. Destroy the proxy before its io_context.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

namespace boost::asio {
class io_context;
}

namespace sightline::delay_proxy {

struct Options {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: a free one (port() tells which)
  std::string target_host = "127.0.0.1";
  uint16_t target_port = 0;
  std::chrono::milliseconds one_way_delay{0};
  size_t max_queued_bytes = 1 << 20;  // per direction of a connection
};

struct Stats {
  uint64_t connections = 0;
  uint64_t bytes_up = 0;    // client to target
  uint64_t bytes_down = 0;  // target to client
};

class DelayProxy {
 public:
  static Result<std::unique_ptr<DelayProxy>> Start(boost::asio::io_context& io, const Options& options);
  ~DelayProxy();  // closes the listener and every connection
  DelayProxy(const DelayProxy&) = delete;
  DelayProxy& operator=(const DelayProxy&) = delete;

  uint16_t port() const;
  void SetStalled(bool stalled);
  Stats stats() const;

  struct State;  // shared with the coroutines, which may outlive a call but not the io_context

 private:
  explicit DelayProxy(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace sightline::delay_proxy
