// Deferred responses and stream bodies (stream_body.h): made on the handler's executor, never
// on a network thread or the server's pool, and sent chunk by chunk as they are made.

#include "http/stream_body.h"

#include <atomic>
#include <future>
#include <thread>

#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "http/server_test_util.h"

namespace sightline::http {
namespace {

using testing::Client;
using testing::ClientResponse;
using testing::TestServer;
namespace bhttp = boost::beast::http;

Bytes Chunk(char c, size_t n) { return Bytes(n, static_cast<uint8_t>(c)); }

// A body of `chunks` chunks of 100 KiB ("a", "b", ...), made on `pool`, counting how many
// were asked for; `fail_at` >= 0 makes that chunk an error.
std::shared_ptr<StreamBody> Letters(boost::asio::thread_pool& pool, int chunks,
                                    std::atomic<int>* made, int fail_at = -1) {
  auto body = std::make_shared<StreamBody>();
  body->length = static_cast<uint64_t>(chunks) * 100 * 1024;
  body->executor = pool.get_executor();
  body->next = [made, fail_at]() -> Result<Bytes> {
    const int i = made->fetch_add(1);
    if (i == fail_at) return DataLossError("segment gone");
    return Chunk(static_cast<char>('a' + i), 100 * 1024);
  };
  return body;
}

std::string Expected(int chunks) {
  std::string out;
  for (int i = 0; i < chunks; ++i) out += std::string(100 * 1024, static_cast<char>('a' + i));
  return out;
}

TEST(StreamBodyTest, ADeferredResponseIsMadeOnItsExecutorAndItsBodyStreamed) {
  boost::asio::thread_pool pool(1);
  std::promise<std::thread::id> pool_thread;
  boost::asio::post(pool, [&] { pool_thread.set_value(std::this_thread::get_id()); });
  const std::thread::id pool_id = pool_thread.get_future().get();
  std::atomic<int> made{0};
  std::atomic<bool> made_on_pool{false};
  Router router;
  router.Add("POST", "/export", [&](Request&) {
    auto deferred = std::make_shared<DeferredResponse>();
    deferred->executor = pool.get_executor();
    deferred->make = [&] {
      made_on_pool = std::this_thread::get_id() == pool_id;
      Response r;
      r.stream = Letters(pool, 5, &made);
      r.content_type = "video/mp4";
      r.headers.Set("Content-Disposition", "attachment; filename=\"x.mp4\"");
      return r;
    };
    return Response::Deferred(deferred);
  });
  TestServer server(std::move(router));
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  bhttp::request<bhttp::string_body> req(bhttp::verb::post, "/export", 11);
  ClientResponse r = c.Send(std::move(req));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[bhttp::field::content_type], "video/mp4");
  EXPECT_EQ(r[bhttp::field::content_length], std::to_string(5 * 100 * 1024));
  EXPECT_EQ(r[bhttp::field::content_disposition], "attachment; filename=\"x.mp4\"");
  EXPECT_TRUE(r.body() == Expected(5));
  EXPECT_TRUE(made_on_pool);
  EXPECT_EQ(made, 5);
  // The connection stays usable (keep-alive) after a stream body.
  made = 0;
  bhttp::request<bhttp::string_body> again(bhttp::verb::post, "/export", 11);
  EXPECT_TRUE(c.Send(std::move(again)).body() == Expected(5));
}

TEST(StreamBodyTest, AChunkIsMadeOnlyOnceThePreviousOneWasSent) {
  boost::asio::thread_pool pool(1);
  std::atomic<int> made{0};
  Router router;
  router.Add("GET", "/big", [&](Request&) {
    Response r;
    r.stream = Letters(pool, 100, &made);  // 10 MiB: more than the sockets' buffers
    return r;
  });
  TestServer server(std::move(router));
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  const int small = 16 * 1024;
  setsockopt(c.socket().native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  c.WriteRaw("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  // Not reading: the producer stops when the socket is full, well before the last chunk.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  int seen = 0;
  while (std::chrono::steady_clock::now() < until) {
    seen = made;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(seen, 1);
  EXPECT_LT(seen, 100);
  ClientResponse r = c.Read();
  EXPECT_TRUE(r.body() == Expected(100));
  EXPECT_EQ(made, 100);
}

TEST(StreamBodyTest, AFailingChunkCutsTheBodyShortAndClosesTheConnection) {
  boost::asio::thread_pool pool(1);
  std::atomic<int> made{0};
  Router router;
  router.Add("GET", "/broken", [&](Request&) {
    Response r;
    r.stream = Letters(pool, 4, &made, /*fail_at=*/2);
    return r;
  });
  TestServer server(std::move(router));
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  c.WriteRaw("GET /broken HTTP/1.1\r\nHost: x\r\n\r\n");
  auto [bytes, closed] = c.ReadUntilClosed(std::chrono::seconds(5));
  EXPECT_TRUE(closed);
  EXPECT_NE(bytes.find("Content-Length: " + std::to_string(4 * 100 * 1024)), std::string::npos);
  const size_t body = bytes.find("\r\n\r\n") + 4;
  EXPECT_EQ(bytes.size() - body, 2u * 100 * 1024);  // the two chunks made before the error
}

TEST(StreamBodyTest, HeadMakesNoChunk) {
  boost::asio::thread_pool pool(1);
  std::atomic<int> made{0};
  Router router;
  router.Add("GET", "/big", [&](Request&) {
    Response r;
    r.stream = Letters(pool, 3, &made);
    return r;
  });
  TestServer server(std::move(router));
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  bhttp::request<bhttp::string_body> req(bhttp::verb::head, "/big", 11);
  ClientResponse r = c.Send(std::move(req));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[bhttp::field::content_length], std::to_string(3 * 100 * 1024));
  EXPECT_EQ(made, 0);
}

}  // namespace
}  // namespace sightline::http
