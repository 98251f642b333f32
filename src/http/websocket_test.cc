#include "http/websocket.h"

#include <future>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>

#include "http/server_test_util.h"

namespace sightline::http {
namespace {

using testing::Client;
using testing::TempDir;
using testing::TestServer;
using testing::WriteSelfSignedCert;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class WsClient {
 public:
  WsClient(uint16_t port, const std::string& target, std::string origin = "") : ws_(io_) {
    ws_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    if (!origin.empty()) {
      ws_.set_option(websocket::stream_base::decorator(
          [origin](websocket::request_type& req) { req.set(beast::http::field::origin, origin); }));
    }
    ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), target, handshake_error_);
  }
  bool open() const { return !handshake_error_; }
  int status() const { return response_.result_int(); }
  websocket::stream<tcp::socket>& ws() { return ws_; }

  void SendText(const std::string& s) {
    ws_.text(true);
    ws_.write(asio::buffer(s));
  }
  // The next message, or the error that ended the read.
  std::pair<std::string, beast::error_code> Read() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    return {beast::buffers_to_string(buffer.data()), ec};
  }

 private:
  asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
  websocket::response_type response_;
  beast::error_code handshake_error_;
};

std::shared_ptr<const std::string> Msg(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

Router EchoRouter(std::promise<void>* closed = nullptr) {
  Router router;
  router.AddWebSocket("/ws/{room}", [closed](Request& r) -> WebSocketResult {
    if (r.Param("room") == "secret") return Response::Error(403, "no access to this room");
    return WebSocketOpen([closed](std::shared_ptr<WebSocket> ws) {
      std::weak_ptr<WebSocket> weak = ws;
      ws->OnMessage([weak](std::string text) {
        if (auto ws = weak.lock()) {
          if (text == "bye") {
            ws->Close("as you wish");
          } else {
            ws->Send(Msg(ws->request().Param("room") + ":" + text), false);
          }
        }
      });
      ws->OnClose([closed] {
        if (closed) closed->set_value();
      });
    });
  });
  return router;
}

TEST(HttpWebSocketTest, EchoAndServerClose) {
  std::promise<void> closed;
  TestServer server(EchoRouter(&closed));
  ASSERT_TRUE(server.Start().ok());
  WsClient c(server.port(), "/ws/lobby");
  ASSERT_TRUE(c.open()) << c.status();
  EXPECT_EQ(c.status(), 101);
  c.SendText("hello");
  EXPECT_EQ(c.Read().first, "lobby:hello");
  c.SendText("again");
  EXPECT_EQ(c.Read().first, "lobby:again");
  EXPECT_EQ(server.server().stats().websockets_open, 1u);
  c.SendText("bye");
  auto [msg, ec] = c.Read();
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(c.ws().reason().code, kCloseNormal);
  EXPECT_EQ(c.ws().reason().reason, "as you wish");
  EXPECT_EQ(closed.get_future().wait_for(std::chrono::seconds(3)), std::future_status::ready);
}

TEST(HttpWebSocketTest, OnCloseWhenTheClientCloses) {
  std::promise<void> closed;
  TestServer server(EchoRouter(&closed));
  ASSERT_TRUE(server.Start().ok());
  {
    WsClient c(server.port(), "/ws/lobby");
    ASSERT_TRUE(c.open());
    c.ws().close(websocket::close_code::normal);
  }
  EXPECT_EQ(closed.get_future().wait_for(std::chrono::seconds(3)), std::future_status::ready);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (server.server().stats().connections_open > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(server.server().stats().connections_open, 0u);
  EXPECT_EQ(server.server().stats().websockets_open, 0u);
}

TEST(HttpWebSocketTest, OnWrittenReportsEachMessageAfterItsWrite) {
  std::mutex mu;
  std::vector<std::string> written;
  std::promise<void> all_written;
  Router router;
  router.AddWebSocket("/ws", [&](Request&) -> WebSocketResult {
    return WebSocketOpen([&](std::shared_ptr<WebSocket> ws) {
      ws->OnWritten([&](const std::string& m) {
        std::lock_guard lock(mu);
        written.push_back(m);
        if (written.size() == 3) all_written.set_value();
      });
      for (const char* m : {"one", "two", "three"}) ws->Send(Msg(m), false);
    });
  });
  TestServer server(std::move(router));
  ASSERT_TRUE(server.Start().ok());
  WsClient c(server.port(), "/ws");
  ASSERT_TRUE(c.open());
  EXPECT_EQ(c.Read().first, "one");
  ASSERT_EQ(all_written.get_future().wait_for(std::chrono::seconds(3)), std::future_status::ready);
  std::lock_guard lock(mu);
  EXPECT_EQ(written, (std::vector<std::string>{"one", "two", "three"}));
}

TEST(HttpWebSocketTest, RefusalsAreHttpResponses) {
  TestServer server(EchoRouter());
  ASSERT_TRUE(server.Start().ok());
  WsClient refused(server.port(), "/ws/secret");
  EXPECT_FALSE(refused.open());
  EXPECT_EQ(refused.status(), 403);

  WsClient foreign(server.port(), "/ws/lobby", "http://evil.example");
  EXPECT_FALSE(foreign.open());
  EXPECT_EQ(foreign.status(), 403);

  WsClient same(server.port(), "/ws/lobby", "http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_TRUE(same.open());

  Client plain(server.port());
  EXPECT_EQ(plain.Get("/ws/lobby").result_int(), 426);
}

TEST(HttpWebSocketTest, MessageOverLimitClosesWith1009) {
  ServerOptions o;
  o.websocket_max_message_bytes = 1024;
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  WsClient c(server.port(), "/ws/lobby");
  ASSERT_TRUE(c.open());
  c.SendText(std::string(1024, 'a'));  // at the limit: fine
  EXPECT_EQ(c.Read().first, "lobby:" + std::string(1024, 'a'));
  beast::error_code ignored;
  c.ws().write(asio::buffer(std::string(100 * 1024, 'b')), ignored);
  auto [msg, ec] = c.Read();
  EXPECT_EQ(ec, websocket::error::closed) << ec.message();
  EXPECT_EQ(c.ws().reason().code, kCloseTooBig);
  // The server is fine.
  WsClient again(server.port(), "/ws/lobby");
  EXPECT_TRUE(again.open());
}

TEST(HttpWebSocketTest, BinaryFromClientClosesWith1003) {
  TestServer server(EchoRouter());
  ASSERT_TRUE(server.Start().ok());
  WsClient c(server.port(), "/ws/lobby");
  ASSERT_TRUE(c.open());
  c.ws().binary(true);
  c.ws().write(asio::buffer(std::string("\x01\x02", 2)));
  auto [msg, ec] = c.Read();
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(c.ws().reason().code, kCloseUnsupportedData);
}

TEST(HttpWebSocketTest, SlowReaderMakesSendRefuseOnceOverTheBound) {
  ServerOptions o;
  o.websocket_queue_limit_bytes = 1 << 20;
  std::promise<std::shared_ptr<WebSocket>> opened;
  Router router;
  router.AddWebSocket("/live", [&opened](Request&) -> WebSocketResult {
    return WebSocketOpen([&opened](std::shared_ptr<WebSocket> ws) { opened.set_value(ws); });
  });
  TestServer server(std::move(router), o);
  ASSERT_TRUE(server.Start().ok());
  WsClient c(server.port(), "/live");
  ASSERT_TRUE(c.open());
  const int small = 64 * 1024;  // much smaller makes loopback TCP crawl (silly window avoidance)
  setsockopt(c.ws().next_layer().native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::shared_ptr<WebSocket> ws = opened.get_future().get();

  // The client reads nothing: the kernel's buffers fill, then the queue, then Send refuses.
  const size_t kMessage = 256 * 1024;
  int accepted = 0;
  bool refused = false;
  for (int i = 0; i < 400 && !refused; ++i) {
    if (ws->Send(Msg(std::string(kMessage, static_cast<char>('a' + i % 26))), true)) {
      ++accepted;
      EXPECT_LE(ws->queued_bytes(), o.websocket_queue_limit_bytes);
    } else {
      refused = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(refused) << "accepted " << accepted << " messages of " << kMessage << " bytes";

  // What was accepted arrives whole and in order once the client reads.
  for (int i = 0; i < accepted; ++i) {
    auto [msg, ec] = c.Read();
    ASSERT_FALSE(ec) << i << ": " << ec.message();
    ASSERT_EQ(msg.size(), kMessage);
    EXPECT_EQ(msg[0], static_cast<char>('a' + i % 26));
  }
  EXPECT_EQ(ws->queued_bytes(), 0u);
  EXPECT_TRUE(ws->Send(Msg("after"), false));
  EXPECT_EQ(c.Read().first, "after");
  ws->Close("done", kCloseGoingAway);
  EXPECT_FALSE(ws->Send(Msg("too late"), false));
  auto [msg, ec] = c.Read();
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(c.ws().reason().code, kCloseGoingAway);
}

TEST(HttpWebSocketTest, StopClosesOpenSockets) {
  std::promise<void> closed;
  TestServer server(EchoRouter(&closed));
  ASSERT_TRUE(server.Start().ok());
  WsClient c(server.port(), "/ws/lobby");
  ASSERT_TRUE(c.open());
  server.server().Stop();
  EXPECT_EQ(closed.get_future().wait_for(std::chrono::seconds(3)), std::future_status::ready);
  auto [msg, ec] = c.Read();
  EXPECT_TRUE(ec);
}

TEST(HttpWebSocketTest, OverTls) {
  TempDir dir;
  const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  WriteSelfSignedCert(cert, key);
  ServerOptions o;
  o.tls = TlsOptions{cert, key};
  std::promise<void> closed;
  TestServer server(EchoRouter(&closed), o);
  ASSERT_TRUE(server.Start().ok());

  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  websocket::stream<asio::ssl::stream<tcp::socket>> ws(io, ctx);
  beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  ws.next_layer().handshake(asio::ssl::stream_base::client);
  ws.handshake("127.0.0.1", "/ws/secure");
  ws.text(true);
  ws.write(asio::buffer(std::string("hi")));
  beast::flat_buffer buffer;
  ws.read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "secure:hi");
  ws.close(websocket::close_code::normal);
  EXPECT_EQ(closed.get_future().wait_for(std::chrono::seconds(3)), std::future_status::ready);
}

}  // namespace
}  // namespace sightline::http
