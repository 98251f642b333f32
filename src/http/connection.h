#pragma once
// Internal to the server: one accepted connection and the coroutine that serves it.
//
// Threads: everything on a connection runs on its strand (the executor of its socket), except
// blocking steps (handlers, file opens, sendfile, file reads), which run on the core's pool
// while the connection's coroutine waits. Abort() only shuts the socket down and cancels its
// operations: the descriptor stays open until Finish(), so a sendfile(2) running on the pool
// can never write to a descriptor number that was closed and reused meanwhile.

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include "http/server_core.h"

namespace sightline::http::internal {

using PlainStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  ConnectionBase(std::shared_ptr<ServerCore> core, std::string remote_address,
                 boost::asio::any_io_executor strand);
  virtual ~ConnectionBase();
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;

  ServerCore& core() { return *core_; }
  const std::string& remote_address() const { return remote_address_; }
  const boost::asio::any_io_executor& strand() const { return strand_; }
  virtual boost::asio::ip::tcp::socket& socket() = 0;

  // The rest on the strand only.
  // Starts the watchdog that aborts the connection when a deadline passes.
  void StartWatchdog();
  void SetDeadline(std::chrono::milliseconds from_now);
  void ClearDeadline();
  // Tells the core where the connection is, for choosing whom to evict at a cap.
  void SetPhase(Phase phase);
  void Abort();
  bool aborted() const { return aborted_; }
  // Closes the socket and gives its slot back. Idempotent.
  void Finish();

 private:
  boost::asio::awaitable<void> Watchdog(std::shared_ptr<ConnectionBase> self);

  std::shared_ptr<ServerCore> core_;
  std::string remote_address_;
  boost::asio::any_io_executor strand_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool aborted_ = false;
  bool finished_ = false;
};

template <class Stream>
class Connection final : public ConnectionBase {
 public:
  Connection(std::shared_ptr<ServerCore> core, std::string remote_address, Stream s)
      : ConnectionBase(std::move(core), std::move(remote_address), s.get_executor()),
        stream(std::move(s)) {}
  ~Connection() override { Finish(); }

  boost::asio::ip::tcp::socket& socket() override { return boost::beast::get_lowest_layer(stream); }

  Stream stream;
};

template <class Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// Serves `conn` until it closes: the TLS handshake, requests, and a WebSocket if one opens.
// Never throws out of the coroutine's body except on a bug (the spawner logs it).
template <class Stream>
boost::asio::awaitable<void> ServeConnection(std::shared_ptr<Connection<Stream>> conn);

extern template boost::asio::awaitable<void> ServeConnection(std::shared_ptr<Connection<PlainStream>>);
extern template boost::asio::awaitable<void> ServeConnection(std::shared_ptr<Connection<TlsStream>>);

}  // namespace sightline::http::internal
