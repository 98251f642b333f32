#include "http/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/address_group.h"
#include "base/logging.h"
#include "base/mutex.h"
#include "base/result.h"
#include "http/connection.h"
#include "http/server_core.h"

namespace sightline::http {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using internal::Connection;
using internal::ConnectionBase;
using internal::ServerCore;

namespace internal {

namespace {

std::unique_ptr<asio::thread_pool> MakePoolWithoutSigpipe(size_t threads) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &old);  // new threads inherit the mask
  auto pool = std::make_unique<asio::thread_pool>(std::max<size_t>(threads, 1));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return pool;
}

}  // namespace

ServerCore::ServerCore(ServerOptions o, Router r)
    : options(std::move(o)), router(std::move(r)), pool(MakePoolWithoutSigpipe(options.blocking_threads)) {}

bool ServerCore::Admit(const std::string& ip) {
  const std::string group = AddressGroup(ip);
  std::shared_ptr<ConnectionBase> victim;
  {
    MutexLock lock(mu_);
    if (stopped_) return false;
    auto [it, inserted] = per_group_.try_emplace(group, 0);
    const bool group_full = it->second >= options.max_connections_per_ip;
    if (group_full || open_ >= options.max_connections) {
      ConnectionBase* chosen = ChooseVictimLocked(group, group_full);
      // A connection whose last reference is going away is finishing by itself and frees
      // its slot in a moment; it cannot be aborted, so it does not make room now.
      if (chosen != nullptr) victim = chosen->weak_from_this().lock();
      if (victim == nullptr) {
        if (it->second == 0) per_group_.erase(it);
        return false;
      }
      FreeSlotLocked(connections_.at(chosen));
      evicted.fetch_add(1, std::memory_order_relaxed);
    }
    ++open_;
    ++per_group_[group];
  }
  // Outside mu_: dropping the last reference finishes a connection, which takes mu_.
  if (victim != nullptr) {
    SL_LOG(kDebug) << "http remote=" << victim->remote_address() << " evicted at the connection cap for " << ip;
    asio::post(victim->strand(), [victim] { victim->Abort(); });
  }
  return true;
}

ConnectionBase* ServerCore::ChooseVictimLocked(const std::string& group, bool group_full) const {
  ConnectionBase* best = nullptr;
  const Slot* best_slot = nullptr;
  for (const auto& [c, slot] : connections_) {
    if (slot.evicted || slot.phase == Phase::kBusy) continue;
    if (group_full && slot.group != group) continue;
    // Reading before idle, then the oldest.
    if (best_slot == nullptr ||
        std::pair(slot.phase != Phase::kReading, slot.since) <
            std::pair(best_slot->phase != Phase::kReading, best_slot->since)) {
      best = c;
      best_slot = &slot;
    }
  }
  return best;
}

void ServerCore::FreeSlotLocked(Slot& slot) {
  if (slot.evicted) return;
  slot.evicted = true;
  --open_;
  auto it = per_group_.find(slot.group);
  if (it != per_group_.end() && --it->second == 0) per_group_.erase(it);
}

void ServerCore::Register(ConnectionBase* c) {
  MutexLock lock(mu_);
  connections_.emplace(c, Slot{AddressGroup(c->remote_address()), Phase::kReading, std::chrono::steady_clock::now()});
}

void ServerCore::Remove(ConnectionBase* c) {
  MutexLock lock(mu_);
  auto it = connections_.find(c);
  if (it == connections_.end()) return;
  FreeSlotLocked(it->second);
  connections_.erase(it);
}

void ServerCore::SetPhase(ConnectionBase* c, Phase phase) {
  MutexLock lock(mu_);
  auto it = connections_.find(c);
  if (it == connections_.end() || it->second.phase == phase) return;
  it->second.phase = phase;
  it->second.since = std::chrono::steady_clock::now();
}

void ServerCore::Stop() {
  std::vector<std::shared_ptr<ConnectionBase>> alive;
  {
    MutexLock lock(mu_);
    stopped_ = true;
    for (const auto& [c, slot] : connections_) {
      // A connection whose last reference is going away is finishing by itself.
      if (std::shared_ptr<ConnectionBase> p = c->weak_from_this().lock()) alive.push_back(std::move(p));
    }
  }
  // Outside mu_: dropping the last reference finishes a connection, which takes mu_.
  for (std::shared_ptr<ConnectionBase>& c : alive) {
    asio::post(c->strand(), [c] { c->Abort(); });
  }
}

void ServerCore::CountResponse(std::string_view route, int status) {
  const int cls = status / 100;
  if (cls >= 1 && cls <= 5) by_class_[cls].fetch_add(1, std::memory_order_relaxed);
  if (options.on_response) options.on_response(route, status);
}

ServerStats ServerCore::stats() const {
  ServerStats s;
  {
    MutexLock lock(mu_);
    s.connections_open = open_;
  }
  s.connections_accepted = accepted.load(std::memory_order_relaxed);
  s.connections_refused = refused.load(std::memory_order_relaxed);
  s.connections_evicted = evicted.load(std::memory_order_relaxed);
  s.requests = requests.load(std::memory_order_relaxed);
  s.responses_1xx = by_class_[1].load(std::memory_order_relaxed);
  s.responses_2xx = by_class_[2].load(std::memory_order_relaxed);
  s.responses_3xx = by_class_[3].load(std::memory_order_relaxed);
  s.responses_4xx = by_class_[4].load(std::memory_order_relaxed);
  s.responses_5xx = by_class_[5].load(std::memory_order_relaxed);
  s.websockets_open = websockets_open.load(std::memory_order_relaxed);
  return s;
}

}  // namespace internal

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// "127.0.0.1:8080", "[::1]:8080", "localhost:8080", ":8080" (all interfaces).
Result<tcp::endpoint> ResolveListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("listen address has no port");
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  uint16_t port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty()) {
    return InvalidArgumentError("bad port '" + port_text + "'");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "::";
  boost::system::error_code aec;
  const asio::ip::address address = asio::ip::make_address(host, aec);
  if (!aec) return tcp::endpoint(address, port);
  asio::io_context io;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, port_text, aec);
  if (aec || results.empty()) return UnavailableError("resolving " + host + ": " + aec.message());
  return results.begin()->endpoint();
}

std::string AddressText(const tcp::endpoint& ep) {
  asio::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a.to_string();
}

constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The 503 for a newcomer over a cap with nothing to evict. Content-Length is counted from
// the body, never written by hand (it once said 29 for these 32 bytes).
const std::string& BusyResponse() {
  static const std::string kBusy = [] {
    constexpr std::string_view kBody = R"({"error":"too many connections"})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "X-Content-Type-Options: nosniff\r\nRetry-After: 1\r\nConnection: close\r\n"
           "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + std::string(kBody);
  }();
  return kBusy;
}

// Over a cap: a best-effort 503 without waiting, then close, so a flood costs one accept each
// and the backlog keeps moving. Over TLS the bytes would be meaningless; just close.
void Refuse(tcp::socket& socket, bool tls) {
  if (!tls) {
    const std::string& busy = BusyResponse();
    (void)::send(socket.native_handle(), busy.data(), busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  boost::system::error_code ignored;
  socket.close(ignored);
}

}  // namespace

class Server::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, ServerOptions options, Router router)
      : executor_(executor),
        acceptor_strand_(asio::make_strand(executor)),
        acceptor_(acceptor_strand_),
        core_(std::make_shared<ServerCore>(std::move(options), std::move(router))) {}

  Status Start() {
    const ServerOptions& o = core_->options;
    const std::string where = "listen " + o.listen;
    if (o.tls) {
      try {
        asio::ssl::context ctx(asio::ssl::context::tls_server);
        ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
        // security-review-1 L6: TLS 1.2 accepted static-RSA and CBC-SHA1 suites. TLS 1.2 is
        // limited to forward-secret AEAD suites (TLS 1.3 has no others).
        if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1 ||
            SSL_CTX_set_cipher_list(ctx.native_handle(), kTls12Ciphers) != 1) {
          return InternalError("TLS context: cannot set the protocol version or cipher list");
        }
        boost::system::error_code ec;
        ctx.use_certificate_chain_file(o.tls->cert_chain_file, ec);
        if (ec) return InvalidArgumentError("TLS certificate " + o.tls->cert_chain_file + ": " + ec.message());
        ctx.use_private_key_file(o.tls->private_key_file, asio::ssl::context::pem, ec);
        if (ec) return InvalidArgumentError("TLS key " + o.tls->private_key_file + ": " + ec.message());
        core_->tls.emplace(std::move(ctx));
      } catch (const boost::system::system_error& e) {
        return InternalError("TLS context: " + std::string(e.what()));
      }
    }
    Result<tcp::endpoint> resolved = ResolveListen(o.listen);
    if (!resolved.ok()) return std::move(resolved).status().WithContext(where);
    const tcp::endpoint endpoint = *resolved;
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      return UnavailableError(where + ": " + ec.message());
    }
    port_.store(acceptor_.local_endpoint().port());
    SL_LOG(kInfo) << "http listening on " << endpoint.address().to_string() << ":" << port_.load()
                  << (o.tls ? " (TLS)" : "");
    asio::co_spawn(acceptor_strand_, AcceptLoop(shared_from_this()), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        SL_LOG(kError) << "http bug: accept loop ended by exception: " << ex.what();
      }
    });
    return Status::Ok();
  }

  void Stop() {
    core_->Stop();
    asio::post(acceptor_strand_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_timer_.cancel();
    });
  }

  void JoinPool() { core_->pool->join(); }
  uint16_t port() const { return port_.load(); }
  ServerStats stats() const { return core_->stats(); }

 private:
  // `self` is never read: holding it keeps the server's state alive while the loop waits.
  awaitable<void> AcceptLoop([[maybe_unused]] std::shared_ptr<Impl> self) {
    LogRateLimiter limiter(std::chrono::minutes(1), 3);
    while (acceptor_.is_open()) {
      auto [ec, accepted] = co_await acceptor_.async_accept(asio::make_strand(executor_), kUseTuple);
      tcp::socket socket(std::move(accepted));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
        int suppressed = 0;
        if (limiter.Allow(std::chrono::steady_clock::now(), &suppressed)) {
          SL_LOG(kWarning) << "http accept: " << ec.message()
                           << (suppressed ? " (" + std::to_string(suppressed) + " similar suppressed)" : "");
        }
        // Out of descriptors: accepting again at once would spin.
        backoff_timer_.expires_after(std::chrono::milliseconds(100));
        co_await backoff_timer_.async_wait(kUseTuple);
        continue;
      }
      boost::system::error_code pec;
      const tcp::endpoint peer = socket.remote_endpoint(pec);
      if (pec) continue;  // reset before we looked
      const std::string ip = AddressText(peer);
      const bool tls = core_->tls.has_value();
      if (!core_->Admit(ip)) {
        core_->refused.fetch_add(1, std::memory_order_relaxed);
        Refuse(socket, tls);
        continue;
      }
      core_->accepted.fetch_add(1, std::memory_order_relaxed);
      socket.set_option(tcp::no_delay(true), pec);  // responses go out in one or two writes
      if (tls) {
        Spawn(std::make_shared<Connection<internal::TlsStream>>(core_, ip, internal::TlsStream(std::move(socket), *core_->tls)));
      } else {
        Spawn(std::make_shared<Connection<internal::PlainStream>>(core_, ip, std::move(socket)));
      }
    }
  }

  // Registered here, not in the constructor: until make_shared returns, the connection's
  // weak_from_this is still being written, and ServerCore::Stop reads it from another thread
  // (ThreadSanitizer saw that race).
  template <class Stream>
  void Spawn(std::shared_ptr<Connection<Stream>> conn) {
    core_->Register(conn.get());
    auto strand = conn->strand();
    asio::co_spawn(strand, internal::ServeConnection(conn), [conn](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        SL_LOG(kError) << "http bug: connection from " << conn->remote_address() << " ended by exception: " << ex.what();
      } catch (...) {
        SL_LOG(kError) << "http bug: connection from " << conn->remote_address() << " ended by exception";
      }
      conn->Finish();
    });
  }

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> acceptor_strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_timer_{acceptor_strand_};
  std::shared_ptr<ServerCore> core_;
  std::atomic<uint16_t> port_{0};
};

Server::Server(asio::any_io_executor executor, ServerOptions options, Router router)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), std::move(router))) {}

Server::~Server() {
  impl_->Stop();
  impl_->JoinPool();
}

Status Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
uint16_t Server::port() const { return impl_->port(); }
ServerStats Server::stats() const { return impl_->stats(); }

}  // namespace sightline::http
