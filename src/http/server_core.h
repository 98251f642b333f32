#pragma once
// Internal to the server: the state every connection of one Server shares (options, router,
// blocking pool, counters, the registry Stop() walks). Shared by the Server and its
// connections, so a connection still finishing after the Server is gone finds it intact.
//
// Threads: options and router are immutable; counters are atomic; the registry, each
// connection's phase and the per-group counts are guarded by mu_.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/mutex.h"
#include "http/router.h"
#include "http/server.h"

namespace sightline::http::internal {

class ConnectionBase;

// Where a connection is, for choosing whom to evict at a cap (README.md "Limits").
enum class Phase {
  kReading,  // waiting for or reading a request (also the TLS handshake): evicted first
  kIdle,     // keep-alive between requests, or closing: evicted next
  kBusy,     // a handler runs, a response is written, or a WebSocket is open: never evicted
};

class ServerCore {
 public:
  ServerCore(ServerOptions options, Router router);

  const ServerOptions options;
  const Router router;
  // Handlers, file opens, sendfile and file reads. Its threads block SIGPIPE: sendfile(2) has
  // no MSG_NOSIGNAL, and a peer gone mid-file must cost an EPIPE, not the process.
  std::unique_ptr<boost::asio::thread_pool> pool;
  std::optional<boost::asio::ssl::context> tls;  // set by Start() before any connection

  // Takes a connection slot for `ip`. At max_connections, or at max_connections_per_ip for
  // the address's group (base/address_group.h), it evicts a connection to make room: the one
  // that has been reading a request longest, else the longest idle keep-alive (of the same
  // group when the group is full). Returns false when none can be evicted or the server
  // stopped. Evicted connections are aborted on their strands.
  bool Admit(const std::string& ip);
  // Adds and removes a connection from the registry (it starts in Phase::kReading); Remove
  // also frees its slot unless eviction already did.
  void Register(ConnectionBase* c);
  void Remove(ConnectionBase* c);
  void SetPhase(ConnectionBase* c, Phase phase);
  // Aborts every registered connection and refuses new ones.
  void Stop();

  // Counts a response by its status class and tells options.on_response; `route` is the
  // request's (empty when no route matched or the request was refused before routing).
  void CountResponse(std::string_view route, int status);
  ServerStats stats() const;

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> evicted{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> websockets_open{0};

 private:
  struct Slot {
    std::string group;
    Phase phase = Phase::kReading;
    std::chrono::steady_clock::time_point since;  // when it entered `phase`
    bool evicted = false;                          // its slot is already free
  };
  // The connection to evict for a newcomer of `group`, or null; `group_full` restricts the
  // choice to that group.
  ConnectionBase* ChooseVictimLocked(const std::string& group, bool group_full) const
      SL_REQUIRES(mu_);
  void FreeSlotLocked(Slot& slot) SL_REQUIRES(mu_);

  mutable Mutex mu_;
  bool stopped_ SL_GUARDED_BY(mu_) = false;
  size_t open_ SL_GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, size_t> per_group_ SL_GUARDED_BY(mu_);
  std::unordered_map<ConnectionBase*, Slot> connections_ SL_GUARDED_BY(mu_);
  std::atomic<uint64_t> by_class_[6] = {};
};

}  // namespace sightline::http::internal
