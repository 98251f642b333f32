#pragma once
// Internal to the server: the state every connection of one Server shares (options, router,
// blocking pool, counters, the registry Stop() walks). Shared by the Server and its
// connections, so a connection still finishing after the Server is gone finds it intact.
//
// Threads: options and router are immutable; counters are atomic; the registry and the
// per-IP counts are guarded by mu_.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "http/router.h"
#include "http/server.h"

namespace sightline::http::internal {

class ConnectionBase;

class ServerCore {
 public:
  ServerCore(ServerOptions options, Router router);

  const ServerOptions options;
  const Router router;
  // Handlers, file opens, sendfile and file reads. Its threads block SIGPIPE: sendfile(2) has
  // no MSG_NOSIGNAL, and a peer gone mid-file must cost an EPIPE, not the process.
  std::unique_ptr<boost::asio::thread_pool> pool;
  std::optional<boost::asio::ssl::context> tls;  // set by Start() before any connection

  // Takes a connection slot for `ip`, or returns false when a cap is reached or the server
  // stopped.
  bool Admit(const std::string& ip);
  // Adds and removes a connection from the registry; Remove also frees its slot.
  void Register(ConnectionBase* c);
  void Remove(ConnectionBase* c, const std::string& ip);
  // Aborts every registered connection and refuses new ones.
  void Stop();

  void CountResponse(int status);
  ServerStats stats() const;

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> websockets_open{0};

 private:
  mutable std::mutex mu_;
  bool stopped_ = false;
  size_t open_ = 0;
  std::unordered_map<std::string, size_t> per_ip_;
  std::unordered_set<ConnectionBase*> connections_;
  std::atomic<uint64_t> by_class_[6] = {};
};

}  // namespace sightline::http::internal
