#include "tools/delay_proxy/delay_proxy.h"

#include <atomic>
#include <deque>
#include <list>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sightline::delay_proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kChunkBytes = 16 * 1024;

// One direction of a connection: chunks read from `from`, waiting to be written to `to`.
struct Pipe {
  Pipe(asio::io_context& io, tcp::socket& f, tcp::socket& t, std::atomic<uint64_t>& c)
      : from(f), to(t), writer_wake(io), reader_wake(io), counter(c) {}
  struct Chunk {
    Clock::time_point due;
    std::vector<char> bytes;  // empty: the sender closed its side
  };
  tcp::socket& from;
  tcp::socket& to;
  std::deque<Chunk> queue;
  size_t queued_bytes = 0;
  // Timers used as condition variables: the waiter checks its condition and waits with no
  // suspension in between (one thread), the other side cancels the wait to wake it.
  asio::steady_timer writer_wake;
  asio::steady_timer reader_wake;
  std::atomic<uint64_t>& counter;
};

struct Connection {
  Connection(asio::io_context& io, tcp::socket c, std::atomic<uint64_t>& up, std::atomic<uint64_t>& down)
      : client(std::move(c)), target(io), up(io, client, target, up), down(io, target, client, down) {}
  void Close() {
    boost::system::error_code ignored;
    client.close(ignored);
    target.close(ignored);
    for (Pipe* p : {&up, &down}) {
      p->writer_wake.cancel();
      p->reader_wake.cancel();
    }
  }
  tcp::socket client;
  tcp::socket target;
  Pipe up;
  Pipe down;
};

// Waits until `timer` is cancelled or reaches `until`.
asio::awaitable<void> Sleep(asio::steady_timer& timer, Clock::time_point until) {
  timer.expires_at(until);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace

struct DelayProxy::State {
  State(asio::io_context& io, Options o) : io(io), options(std::move(o)), acceptor(io) {}
  asio::io_context& io;
  const Options options;
  tcp::acceptor acceptor;
  bool stalled = false;  // the io_context's thread only
  bool closed = false;
  std::list<std::weak_ptr<Connection>> connections;
  std::atomic<uint64_t> connection_count{0}, bytes_up{0}, bytes_down{0};
  std::atomic<uint16_t> port{0};
};

namespace {

using State = DelayProxy::State;

asio::awaitable<void> Read(std::shared_ptr<State> state, std::shared_ptr<Connection> c, Pipe& p) {
  for (;;) {
    while (p.queued_bytes >= state->options.max_queued_bytes && c->client.is_open()) {
      co_await Sleep(p.reader_wake, Clock::time_point::max());
    }
    std::vector<char> buf(kChunkBytes);
    boost::system::error_code ec;
    const size_t n = co_await p.from.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (n > 0) {
      buf.resize(n);
      p.queued_bytes += n;
      p.queue.push_back({Clock::now() + state->options.one_way_delay, std::move(buf)});
      p.writer_wake.cancel();
    }
    if (ec) {
      // End of stream or error: the writer passes the end on once the data before it is out.
      p.queue.push_back({Clock::now() + state->options.one_way_delay, {}});
      p.writer_wake.cancel();
      co_return;
    }
  }
}

asio::awaitable<void> Write(std::shared_ptr<State> state, std::shared_ptr<Connection> c, Pipe& p) {
  for (;;) {
    if (!c->client.is_open()) co_return;
    if (p.queue.empty() || state->stalled) {
      co_await Sleep(p.writer_wake, Clock::time_point::max());
      continue;
    }
    if (Clock::now() < p.queue.front().due) {
      co_await Sleep(p.writer_wake, p.queue.front().due);
      continue;  // woken early by new data or a stall: check again
    }
    Pipe::Chunk chunk = std::move(p.queue.front());
    p.queue.pop_front();
    if (chunk.bytes.empty()) {
      boost::system::error_code ignored;
      p.to.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    boost::system::error_code ec;
    co_await asio::async_write(p.to, asio::buffer(chunk.bytes), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      c->Close();
      co_return;
    }
    p.counter += chunk.bytes.size();
    p.queued_bytes -= chunk.bytes.size();
    p.reader_wake.cancel();
  }
}

asio::awaitable<void> Serve(std::shared_ptr<State> state, std::shared_ptr<Connection> c) {
  boost::system::error_code ec;
  const tcp::endpoint target(asio::ip::make_address(state->options.target_host, ec), state->options.target_port);
  if (!ec) co_await c->target.async_connect(target, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || state->closed) {
    c->Close();
    co_return;
  }
  boost::system::error_code ignored;
  c->client.set_option(tcp::no_delay(true), ignored);
  c->target.set_option(tcp::no_delay(true), ignored);
  for (Pipe* p : {&c->up, &c->down}) {
    asio::co_spawn(state->io, Read(state, c, *p), asio::detached);
    asio::co_spawn(state->io, Write(state, c, *p), asio::detached);
  }
}

asio::awaitable<void> Accept(std::shared_ptr<State> state) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (state->closed) co_return;
    if (ec) continue;  // e.g. too many open files: the client sees its connection refused
    auto c = std::make_shared<Connection>(state->io, std::move(socket), state->bytes_up, state->bytes_down);
    ++state->connection_count;
    std::erase_if(state->connections, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
    state->connections.push_back(c);
    asio::co_spawn(state->io, Serve(state, std::move(c)), asio::detached);
  }
}

}  // namespace

Result<std::unique_ptr<DelayProxy>> DelayProxy::Start(asio::io_context& io, const Options& options) {
  auto state = std::make_shared<State>(io, options);
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.listen_host, ec);
  if (ec) return InvalidArgumentError("delay_proxy: bad listen address " + options.listen_host);
  asio::ip::make_address(options.target_host, ec);
  if (ec) return InvalidArgumentError("delay_proxy: bad target address " + options.target_host);
  const tcp::endpoint endpoint(address, options.listen_port);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("delay_proxy: listen on " + options.listen_host + ":" +
                            std::to_string(options.listen_port) + ": " + ec.message());
  }
  state->port = state->acceptor.local_endpoint().port();
  asio::co_spawn(io, Accept(state), asio::detached);
  return std::unique_ptr<DelayProxy>(new DelayProxy(std::move(state)));
}

DelayProxy::~DelayProxy() {
  std::shared_ptr<State> state = state_;
  asio::post(state->io, [state] {
    state->closed = true;
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
    for (const std::weak_ptr<Connection>& w : state->connections) {
      if (std::shared_ptr<Connection> c = w.lock()) c->Close();
    }
  });
}

uint16_t DelayProxy::port() const { return state_->port; }

void DelayProxy::SetStalled(bool stalled) {
  std::shared_ptr<State> state = state_;
  asio::post(state->io, [state, stalled] {
    state->stalled = stalled;
    for (const std::weak_ptr<Connection>& w : state->connections) {
      if (std::shared_ptr<Connection> c = w.lock()) {
        c->up.writer_wake.cancel();
        c->down.writer_wake.cancel();
      }
    }
  });
}

Stats DelayProxy::stats() const {
  return Stats{state_->connection_count.load(), state_->bytes_up.load(), state_->bytes_down.load()};
}

}  // namespace sightline::delay_proxy
