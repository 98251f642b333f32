#include "tools/delay_proxy/delay_proxy.h"

#include <chrono>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace sightline::delay_proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

asio::awaitable<void> Echo(tcp::socket s) {
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    const size_t n = co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // the proxy passed the client's end on: close ours
    co_await asio::async_write(s, asio::buffer(buf, n), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

asio::awaitable<void> EchoServer(tcp::acceptor& acceptor) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket s = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), Echo(std::move(s)), asio::detached);
  }
}

// An echo server behind a proxy, both on one io_context on a thread of their own; the test
// talks to the proxy with a blocking socket.
class DelayProxyTest : public ::testing::Test {
 protected:
  void StartProxy(std::chrono::milliseconds delay) {
    echo_.open(tcp::v4());
    echo_.bind({asio::ip::make_address("127.0.0.1"), 0});
    echo_.listen();
    asio::co_spawn(io_, EchoServer(echo_), asio::detached);
    Options o;
    o.target_port = echo_.local_endpoint().port();
    o.one_way_delay = delay;
    Result<std::unique_ptr<DelayProxy>> p = DelayProxy::Start(io_, o);
    ASSERT_TRUE(p.ok()) << p.status();
    proxy_ = std::move(*p);
    thread_ = std::thread([this] { io_.run(); });
    client_.connect({asio::ip::make_address("127.0.0.1"), proxy_->port()});
  }
  void TearDown() override {
    boost::system::error_code ignored;
    client_.close(ignored);
    proxy_.reset();
    asio::post(io_, [this] { echo_.close(); });
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string ReadExactly(size_t n) {
    std::string out(n, '\0');
    asio::read(client_, asio::buffer(out));
    return out;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  tcp::acceptor echo_{io_};
  std::unique_ptr<DelayProxy> proxy_;
  std::thread thread_;
  asio::io_context client_io_;
  tcp::socket client_{client_io_};
};

TEST_F(DelayProxyTest, EachWayIsDelayedAndBytesArriveInOrder) {
  StartProxy(100ms);
  const auto start = std::chrono::steady_clock::now();
  asio::write(client_, asio::buffer(std::string("ping")));
  EXPECT_EQ(ReadExactly(4), "ping");
  const auto round_trip = std::chrono::steady_clock::now() - start;
  EXPECT_GE(round_trip, 200ms);  // through the proxy twice
  EXPECT_LT(round_trip, 2s);

  // Many writes of different sizes, queued behind each other: the same bytes come back in order.
  std::string sent;
  for (int i = 0; i < 300; ++i) {
    std::string chunk(1 + (i * 37) % 5000, static_cast<char>('a' + i % 26));
    chunk += std::to_string(i);
    asio::write(client_, asio::buffer(chunk));
    sent += chunk;
  }
  EXPECT_EQ(ReadExactly(sent.size()), sent);
  EXPECT_EQ(proxy_->stats().connections, 1u);
  EXPECT_EQ(proxy_->stats().bytes_up, sent.size() + 4);
}

TEST_F(DelayProxyTest, AStalledProxyPassesNothingOnUntilResumed) {
  StartProxy(10ms);
  proxy_->SetStalled(true);
  asio::write(client_, asio::buffer(std::string("held")));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(client_.available(), 0u);
  EXPECT_EQ(proxy_->stats().bytes_up, 0u);
  proxy_->SetStalled(false);
  EXPECT_EQ(ReadExactly(4), "held");
}

TEST_F(DelayProxyTest, AClosedClientClosesItsConnectionToTheTarget) {
  StartProxy(10ms);
  asio::write(client_, asio::buffer(std::string("bye")));
  client_.shutdown(tcp::socket::shutdown_send);
  EXPECT_EQ(ReadExactly(3), "bye");
  // The echo server saw the end and closed its side; the proxy passes that on too.
  char c;
  boost::system::error_code ec;
  client_.read_some(asio::buffer(&c, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST(DelayProxyStartTest, RefusesABadAddress) {
  asio::io_context io;
  Options o;
  o.listen_host = "not an address";
  o.target_port = 1;
  EXPECT_FALSE(DelayProxy::Start(io, o).ok());
}

}  // namespace
}  // namespace sightline::delay_proxy
