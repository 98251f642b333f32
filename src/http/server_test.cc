#include "http/server.h"

#include <future>
#include <memory>
#include <random>

#include <gtest/gtest.h>

#include "http/server_test_util.h"

namespace sightline::http {
namespace {

using testing::Client;
using testing::ClientResponse;
using testing::TempDir;
using testing::TestServer;
using testing::WriteSelfSignedCert;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string Field(const ClientResponse& r, std::string_view name) {
  auto it = r.find(name);
  return it == r.end() ? "" : std::string(it->value());
}

Router EchoRouter(std::atomic<int>* calls = nullptr) {
  Router router;
  router.Add("GET", "/api/cameras/{camera}/recordings", [calls](Request& r) {
    if (calls) ++*calls;
    return Response::Json(200, "{\"camera\":" + JsonQuote(r.Param("camera")) + ",\"start\":" +
                                   JsonQuote(r.Query("start", "none")) + "}");
  });
  router.Add("GET", "/echo/{name}", [calls](Request& r) {
    if (calls) ++*calls;
    std::string out = "path=" + r.path + " name=" + r.Param("name");
    for (const auto& [k, v] : r.query) out += " " + k + "=" + v;
    out += " cookie=" + r.Cookie("session") + " remote=" + r.remote_address;
    return Response::Text(200, out);
  });
  router.Add("POST", "/echo/{name}", [](Request& r) { return Response::Text(200, "body=" + r.body); });
  router.Add("GET", "/page", [](Request&) { return Response::Html(200, "<p>hi</p>"); });
  router.Add("GET", "/throw", [](Request&) -> Response { throw std::runtime_error("boom"); });
  return router;
}

TEST(HttpServerTest, RoutesParamsQueryAndErrors) {
  TestServer server(EchoRouter());
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());

  ClientResponse r = c.Get("/api/cameras/front%20door/recordings?start=2024-01-01T00%3A00&x=1");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), R"({"camera":"front door","start":"2024-01-01T00:00"})");
  EXPECT_EQ(Field(r, "Content-Type"), "application/json");
  EXPECT_EQ(Field(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Field(r, "Content-Security-Policy"), "");

  r = c.Get("/echo/a+b?q=two+words&q=%C3%A9&empty", {{"Cookie", "theme=dark; session=s3cr3t"}});
  EXPECT_EQ(r.body(), "path=/echo/a+b name=a+b empty= q=two words q=\xC3\xA9 cookie=s3cr3t remote=127.0.0.1");

  r = c.Get("/nope");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(r.body(), R"({"error":"not found"})");
  EXPECT_EQ(Field(r, "X-Content-Type-Options"), "nosniff");

  bhttp::request<bhttp::string_body> del(bhttp::verb::delete_, "/echo/x", 11);
  r = c.Send(del);
  EXPECT_EQ(r.result_int(), 405);
  EXPECT_EQ(Field(r, "Allow"), "GET, HEAD, POST");

  bhttp::request<bhttp::string_body> post(bhttp::verb::post, "/echo/x", 11);
  post.body() = "hello";
  EXPECT_EQ(c.Send(post).body(), "body=hello");

  r = c.Get("/page");
  EXPECT_EQ(Field(r, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(Field(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);

  r = c.Get("/throw");
  EXPECT_EQ(r.result_int(), 500);
  EXPECT_EQ(c.Get("/echo/still-alive").result_int(), 200);  // same keep-alive connection

  bhttp::request<bhttp::string_body> head(bhttp::verb::head, "/page", 11);
  r = c.Send(head);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(Field(r, "Content-Length"), "9");
  EXPECT_EQ(r.body(), "");

  const ServerStats s = server.server().stats();
  EXPECT_EQ(s.connections_accepted, 1u);
  EXPECT_EQ(s.requests, 9u);
  EXPECT_EQ(s.responses_4xx, 2u);
  EXPECT_EQ(s.responses_5xx, 1u);
  EXPECT_EQ(s.responses_2xx, 6u);
}

TEST(HttpServerTest, TellsEachResponseWithItsRoutePattern) {
  std::mutex mu;
  std::vector<std::string> seen;
  ServerOptions options;
  options.on_response = [&](std::string_view route, int status) {
    std::lock_guard lock(mu);
    seen.push_back(std::string(route) + " " + std::to_string(status));
  };
  TestServer server(EchoRouter(), options);
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  EXPECT_EQ(c.Get("/api/cameras/front/recordings").result_int(), 200);
  EXPECT_EQ(c.Get("/nowhere").result_int(), 404);
  EXPECT_EQ(c.Get("/throw").result_int(), 500);
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::string>{"/api/cameras/{camera}/recordings 200", " 404", "/throw 500"}));
}

TEST(HttpServerTest, RefusesTraversalBeforeAnyHandler) {
  std::atomic<int> calls{0};
  TestServer server(EchoRouter(&calls));
  ASSERT_TRUE(server.Start().ok());
  for (std::string target : {"/echo/../echo/x", "/echo/%2e%2e/x", "/echo/%2E%2E", "/echo/a%2fb", "/echo/a%2F..",
                             "/echo/a\\b", "/echo/a%5Cb", "/echo/a%00b", "/echo/%zz", "/../../etc/passwd",
                             "/echo/x?a=%00"}) {
    Client c(server.port());
    c.WriteRaw("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ClientResponse r = c.Read();
    EXPECT_EQ(r.result_int(), 400) << target;
  }
  {
    // A raw NUL byte: Beast's parser refuses it before we see it, also with 400.
    Client c(server.port());
    c.WriteRaw(std::string("GET /echo/a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 35));
    auto [bytes, closed] = c.ReadUntilClosed(std::chrono::seconds(2));
    EXPECT_TRUE(bytes.starts_with("HTTP/1.1 400")) << bytes;
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(calls.load(), 0);
  Client c(server.port());
  EXPECT_EQ(c.Get("/echo/./x").result_int(), 200);  // "." is normalised, not refused
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, HeaderOverLimitGets431AndServerLivesOn) {
  ServerOptions o;
  o.header_limit_bytes = 1024;
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  {
    Client c(server.port());
    c.WriteRaw("GET /echo/x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    auto [bytes, closed] = c.ReadUntilClosed(std::chrono::seconds(3));
    EXPECT_TRUE(bytes.starts_with("HTTP/1.1 431")) << bytes.substr(0, 100);
    EXPECT_TRUE(closed);
  }
  {
    Client c(server.port());
    c.WriteRaw("GET /echo/" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(c.Read().result_int(), 431);
  }
  Client c(server.port());
  EXPECT_EQ(c.Get("/echo/x").result_int(), 200);
}

TEST(HttpServerTest, BodyOverLimitGets413) {
  ServerOptions o;
  o.body_limit_bytes = 1000;
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  {
    Client c(server.port());
    bhttp::request<bhttp::string_body> post(bhttp::verb::post, "/echo/x", 11);
    post.body() = std::string(100 * 1000, 'b');
    EXPECT_EQ(c.Send(post).result_int(), 413);
  }
  {
    // Chunked: no Content-Length to refuse up front; the parser's limit catches it.
    Client c(server.port());
    std::string chunk(600, 'c');
    c.WriteRaw("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk + "\r\n258\r\n" +
               chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(c.Read().result_int(), 413);
  }
  Client c(server.port());
  bhttp::request<bhttp::string_body> post(bhttp::verb::post, "/echo/x", 11);
  post.body() = std::string(1000, 'b');
  EXPECT_EQ(c.Send(post).result_int(), 200);
}

// security-review-1 H1: the login route took 1 MiB names; its body limit is now its own.
TEST(HttpServerTest, BodyLimitByPath) {
  ServerOptions o;
  o.body_limit_bytes = 100'000;
  o.body_limit_by_path.emplace("/echo/small", 100);
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  auto post = [&](const std::string& target, size_t bytes) {
    Client c(server.port());
    bhttp::request<bhttp::string_body> r(bhttp::verb::post, target, 11);
    r.body() = std::string(bytes, 'b');
    return c.Send(r).result_int();
  };
  EXPECT_EQ(post("/echo/small", 100), 200);
  EXPECT_EQ(post("/echo/small", 101), 413);
  EXPECT_EQ(post("/echo/small?x=1", 5000), 413) << "the query does not change the path";
  EXPECT_EQ(post("/echo/other", 5000), 200);
  {
    Client c(server.port());
    std::string chunk(80, 'c');
    c.WriteRaw("POST /echo/small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + chunk +
               "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(c.Read().result_int(), 413);
  }
}

TEST(HttpServerTest, SlowlorisIsClosedAfterHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  const auto start = std::chrono::steady_clock::now();
  c.WriteRaw("GET /echo/x HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  c.WriteRaw("X-A: 1\r\n");  // trickling bytes does not extend the header deadline
  auto [bytes, closed] = c.ReadUntilClosed(std::chrono::seconds(5));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_EQ(bytes, "");
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(3));

  // A connection that never sends a byte is closed too.
  Client idle(server.port());
  auto [idle_bytes, idle_closed] = idle.ReadUntilClosed(std::chrono::seconds(5));
  EXPECT_TRUE(idle_closed);
}

TEST(HttpServerTest, IdleKeepAliveIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = std::chrono::milliseconds(300);
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  EXPECT_EQ(c.Get("/echo/x").result_int(), 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(c.Get("/echo/y").result_int(), 200);  // within the idle timeout: same connection
  const auto start = std::chrono::steady_clock::now();
  auto [bytes, closed] = c.ReadUntilClosed(std::chrono::seconds(5));
  EXPECT_TRUE(closed);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  EXPECT_EQ(server.server().stats().connections_accepted, 1u);
}

// A request whose header never ends: the slowloris that held every slot (security review 1, M3).
std::unique_ptr<Client> HalfSent(TestServer& server, const std::string& source = "127.0.0.1") {
  const uint64_t accepted = server.server().stats().connections_accepted;
  auto c = std::make_unique<Client>(server.port(), false, source);
  c->WriteRaw("GET /echo/half HTTP/1.1\r\nHost: x\r\n");
  // Accepted in this order: eviction goes by age.
  EXPECT_TRUE(testing::WaitFor([&] { return server.server().stats().connections_accepted > accepted; }));
  return c;
}

// The rest of HalfSent's request, and its answer: the connection was still open.
int Complete(Client& c) {
  c.WriteRaw("\r\n");
  return c.Read().result_int();
}

bool ClosedByServer(Client& c) { return c.ReadUntilClosed(std::chrono::seconds(5)).second; }

// Requests on /block wait until release() is called.
class Blocker {
 public:
  Router MakeRouter() {
    Router router = EchoRouter();
    router.Add("GET", "/block", [this](Request&) {
      ++blocked_;
      released_.wait();
      return Response::Text(200, "unblocked");
    });
    return router;
  }
  // Starts a request on /block from `source` and waits until its handler runs.
  void Block(uint16_t port, const std::string& source = "127.0.0.1") {
    const int before = blocked_;
    clients_.push_back(std::async(std::launch::async, [port, source] {
      Client c(port, false, source);
      return static_cast<int>(c.Get("/block").result_int());
    }));
    EXPECT_TRUE(testing::WaitFor([&] { return blocked_ > before; }));
  }
  void Release() {
    release_.set_value();
    for (auto& c : clients_) EXPECT_EQ(c.get(), 200);
  }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  std::atomic<int> blocked_{0};
  std::vector<std::future<int>> clients_;
};

TEST(HttpServerTest, AtTheCapTheOldestHalfSentRequestMakesRoom) {
  ServerOptions o;
  o.max_connections = 3;
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  std::vector<std::unique_ptr<Client>> half;
  for (int i = 0; i < 3; ++i) half.push_back(HalfSent(server));

  Client newcomer(server.port(), false, "127.0.1.1");
  EXPECT_EQ(newcomer.Get("/echo/new").result_int(), 200);
  EXPECT_TRUE(ClosedByServer(*half[0]));
  EXPECT_EQ(Complete(*half[1]), 200);  // the younger ones were left alone
  EXPECT_EQ(Complete(*half[2]), 200);
  EXPECT_EQ(server.server().stats().connections_evicted, 1u);
  EXPECT_EQ(server.server().stats().connections_refused, 0u);
}

TEST(HttpServerTest, AtTheCapHalfSentGoesBeforeIdleThenTheOldestIdle) {
  ServerOptions o;
  o.max_connections = 3;
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  Client idle(server.port());
  EXPECT_EQ(idle.Get("/echo/idle").result_int(), 200);  // now an idle keep-alive, the oldest
  std::unique_ptr<Client> half1 = HalfSent(server);
  std::unique_ptr<Client> half2 = HalfSent(server);

  Client a(server.port(), false, "127.0.1.1");
  EXPECT_EQ(a.Get("/echo/a").result_int(), 200);
  EXPECT_TRUE(ClosedByServer(*half1));
  Client b(server.port(), false, "127.0.2.1");
  EXPECT_EQ(b.Get("/echo/b").result_int(), 200);
  EXPECT_TRUE(ClosedByServer(*half2));
  // Nothing half-sent is left: the idle keep-alive that waited longest goes.
  Client c(server.port(), false, "127.0.3.1");
  EXPECT_EQ(c.Get("/echo/c").result_int(), 200);
  EXPECT_TRUE(ClosedByServer(idle));
  EXPECT_EQ(a.Get("/echo/a2").result_int(), 200);
  EXPECT_EQ(server.server().stats().connections_evicted, 3u);
}

// Security review 1, L7: the 503 declared 29 bytes for a 32-byte body.
TEST(HttpServerTest, WhenEveryConnectionIsBusyANewcomerGetsAWhole503) {
  ServerOptions o;
  o.max_connections = 2;
  Blocker blocker;
  TestServer server(blocker.MakeRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  blocker.Block(server.port());
  blocker.Block(server.port(), "127.0.1.1");

  Client over(server.port(), false, "127.0.2.1");
  ClientResponse r = over.Read();
  EXPECT_EQ(r.result_int(), 503);
  EXPECT_EQ(r.body(), R"({"error":"too many connections"})");
  EXPECT_EQ(Field(r, "Content-Length"), std::to_string(r.body().size()));
  EXPECT_EQ(Field(r, "Content-Type"), "application/json");
  EXPECT_EQ(server.server().stats().connections_refused, 1u);
  EXPECT_EQ(server.server().stats().connections_evicted, 0u);
  blocker.Release();
}

TEST(HttpServerTest, PerAddressCapCountsTheSlash24) {
  ServerOptions o;
  o.max_connections = 100;
  o.max_connections_per_ip = 2;
  Blocker blocker;
  TestServer server(blocker.MakeRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  blocker.Block(server.port(), "127.0.0.1");
  blocker.Block(server.port(), "127.0.0.2");
  {
    Client same_group(server.port(), false, "127.0.0.3");  // 127.0.0.0/24 is full and busy
    EXPECT_EQ(same_group.Read().result_int(), 503);
  }
  Client other_group(server.port(), false, "127.0.1.3");
  EXPECT_EQ(other_group.Get("/echo/x").result_int(), 200);
  EXPECT_EQ(server.server().stats().connections_refused, 1u);
  blocker.Release();
}

TEST(HttpServerTest, AFullGroupEvictsItsOwnHalfSentOnly) {
  ServerOptions o;
  o.max_connections = 100;
  o.max_connections_per_ip = 2;
  TestServer server(EchoRouter(), o);
  ASSERT_TRUE(server.Start().ok());
  std::unique_ptr<Client> other = HalfSent(server, "127.0.1.1");  // older, but of another group
  std::unique_ptr<Client> half1 = HalfSent(server, "127.0.0.1");
  std::unique_ptr<Client> half2 = HalfSent(server, "127.0.0.2");
  Client newcomer(server.port(), false, "127.0.0.3");
  EXPECT_EQ(newcomer.Get("/echo/new").result_int(), 200);
  EXPECT_TRUE(ClosedByServer(*half1));
  EXPECT_EQ(Complete(*half2), 200);
  EXPECT_EQ(Complete(*other), 200);
  EXPECT_EQ(server.server().stats().connections_evicted, 1u);
}

TEST(HttpServerTest, HandlersRunOffTheNetworkThreads) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> on_network_thread{true};
  std::atomic<bool> blocked{false};
  TestServer* server_ptr = nullptr;
  Router router;
  router.Add("GET", "/block", [&](Request&) {
    on_network_thread = server_ptr->IsNetworkThread(std::this_thread::get_id());
    blocked = true;
    released.wait();
    return Response::Text(200, "unblocked");
  });
  router.Add("GET", "/fast", [](Request&) { return Response::Text(200, "fast"); });
  TestServer server(std::move(router));
  server_ptr = &server;
  ASSERT_TRUE(server.Start().ok());

  auto slow = std::async(std::launch::async, [&] {
    Client c(server.port());
    return c.Get("/block").body();
  });
  while (!blocked) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Both io threads are free although a handler blocks: two more requests get through.
  Client c1(server.port());
  Client c2(server.port());
  EXPECT_EQ(c1.Get("/fast").body(), "fast");
  EXPECT_EQ(c2.Get("/fast").body(), "fast");
  EXPECT_EQ(slow.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  release.set_value();
  EXPECT_EQ(slow.get(), "unblocked");
  EXPECT_FALSE(on_network_thread);
}

std::string RandomBytes(size_t n) {
  std::mt19937 rng(42);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

Router FileRouter(const std::string& path, uint64_t offset, uint64_t length) {
  Router router;
  router.Add("GET", "/file", [=](Request&) {
    Response r = Response::File(FileBody{path, offset, length, "video/mp4"});
    r.headers.Set("ETag", "\"v1\"");
    return r;
  });
  router.Add("GET", "/missing", [](Request&) { return Response::File(FileBody{"/nonexistent/x", 0, 1, "video/mp4"}); });
  router.Add("GET", "/beyond", [=](Request&) { return Response::File(FileBody{path, 0, 1ull << 40, "video/mp4"}); });
  return router;
}

void CheckFileResponses(uint16_t port, bool tls, const std::string& content, uint64_t offset, uint64_t length) {
  const std::string window = content.substr(offset, length);
  Client c(port, tls);
  ClientResponse r = c.Get("/file");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(Field(r, "Accept-Ranges"), "bytes");
  EXPECT_EQ(Field(r, "Content-Type"), "video/mp4");
  ASSERT_EQ(r.body().size(), window.size());
  EXPECT_TRUE(r.body() == window);

  r = c.Get("/file", {{"Range", "bytes=1000-1999999"}});
  EXPECT_EQ(r.result_int(), 206);
  EXPECT_EQ(Field(r, "Content-Range"), "bytes 1000-1999999/" + std::to_string(length));
  EXPECT_TRUE(r.body() == window.substr(1000, 1999000));

  r = c.Get("/file", {{"Range", "bytes=-10"}});
  EXPECT_EQ(r.result_int(), 206);
  EXPECT_TRUE(r.body() == window.substr(window.size() - 10));

  r = c.Get("/file", {{"Range", "bytes=" + std::to_string(length) + "-"}});
  EXPECT_EQ(r.result_int(), 416);
  EXPECT_EQ(Field(r, "Content-Range"), "bytes */" + std::to_string(length));
  EXPECT_EQ(r.body(), "");

  r = c.Get("/file", {{"Range", "bytes=0-1,5-6"}});  // several ranges: ignored
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body().size(), length);

  r = c.Get("/file", {{"Range", "bytes=0-9"}, {"If-Range", "\"v0\""}});  // changed since: all of it
  EXPECT_EQ(r.result_int(), 200);
  r = c.Get("/file", {{"Range", "bytes=0-9"}, {"If-Range", "\"v1\""}});
  EXPECT_EQ(r.result_int(), 206);
  EXPECT_EQ(r.body(), window.substr(0, 10));

  EXPECT_EQ(c.Get("/missing").result_int(), 404);
  EXPECT_EQ(c.Get("/beyond").result_int(), 500);
}

TEST(HttpServerTest, FileBodiesWithRangesUseSendfile) {
  TempDir dir;
  const std::string content = RandomBytes(3 << 20);
  const std::string path = dir.Write("seg.mp4", content);
  // A window of the file, as HLS byte ranges into a segment file are.
  const uint64_t offset = 12345, length = (3 << 20) - 20000;
  TestServer server(FileRouter(path, offset, length));
  ASSERT_TRUE(server.Start().ok());
  CheckFileResponses(server.port(), false, content, offset, length);
}

TEST(HttpServerTest, FileBodyToASlowReaderCompletes) {
  TempDir dir;
  const std::string content = RandomBytes(4 << 20);
  const std::string path = dir.Write("seg.mp4", content);
  TestServer server(FileRouter(path, 0, content.size()));
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  const int small = 64 * 1024;
  setsockopt(c.socket().native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  c.WriteRaw("GET /file HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server hits EAGAIN meanwhile
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_TRUE(r.body() == content);
}

TEST(HttpServerTest, WriteTimeoutClosesAClientThatDoesNotRead) {
  TempDir dir;
  const std::string path = dir.Write("big.mp4", RandomBytes(16 << 20));
  ServerOptions o;
  o.write_timeout = std::chrono::milliseconds(300);
  TestServer server(FileRouter(path, 0, 16 << 20), o);
  ASSERT_TRUE(server.Start().ok());
  Client c(server.port());
  const int small = 64 * 1024;
  setsockopt(c.socket().native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  c.WriteRaw("GET /file HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.server().stats().connections_open > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server.server().stats().connections_open, 0u);
}

TEST(HttpServerTest, Tls) {
  TempDir dir;
  const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  WriteSelfSignedCert(cert, key);
  const std::string content = RandomBytes(3 << 20);
  const std::string path = dir.Write("seg.mp4", content);
  ServerOptions o;
  o.tls = TlsOptions{cert, key};
  Router router = FileRouter(path, 0, content.size());
  router.Add("GET", "/whoami", [](Request& r) { return Response::Text(200, r.tls ? "tls" : "plain"); });
  TestServer server(std::move(router), o);
  ASSERT_TRUE(server.Start().ok());
  {
    Client c(server.port(), /*tls=*/true);
    EXPECT_EQ(c.Get("/whoami").body(), "tls");
  }
  CheckFileResponses(server.port(), true, content, 0, content.size());
  {
    // Plain HTTP to the TLS port gets nowhere, and the server lives on.
    Client plain(server.port());
    plain.WriteRaw("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n");
    auto [bytes, closed] = plain.ReadUntilClosed(std::chrono::seconds(3));
    EXPECT_TRUE(closed);
    EXPECT_EQ(bytes.find("plain"), std::string::npos);
  }

  ServerOptions bad;
  bad.tls = TlsOptions{dir.path() + "/missing.pem", key};
  TestServer broken{Router(), bad};
  Status s = broken.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing.pem"), std::string::npos) << s;
}

// security-review-1 L6: TLS 1.2 accepted AES128-SHA (static RSA, CBC) and sent no HSTS.
TEST(HttpServerTest, TlsOffersOnlyForwardSecretAeadSuites) {
  TempDir dir;
  const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  WriteSelfSignedCert(cert, key);
  ServerOptions o;
  o.tls = TlsOptions{cert, key};
  Router router;
  router.Add("GET", "/x", [](Request&) { return Response::Text(200, "x"); });
  TestServer server(std::move(router), o);
  ASSERT_TRUE(server.Start().ok());
  // Handshakes with a TLS 1.2 client offering only `ciphers`.
  auto handshake = [&](const char* ciphers) {
    asio::io_context io;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), ciphers);
    asio::ssl::stream<tcp::socket> stream(io, ctx);
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    boost::system::error_code ec;
    stream.handshake(asio::ssl::stream_base::client, ec);
    return !ec;
  };
  EXPECT_FALSE(handshake("AES128-SHA"));
  EXPECT_FALSE(handshake("AES256-SHA256"));
  EXPECT_FALSE(handshake("ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA"));
  EXPECT_TRUE(handshake("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256"));
  Client c(server.port(), /*tls=*/true);
  ClientResponse r = c.Get("/x");
  EXPECT_EQ(r[bhttp::field::strict_transport_security], "max-age=31536000");
}

TEST(HttpServerTest, StartNamesTheAddressOnFailure) {
  TestServer first{Router()};
  ASSERT_TRUE(first.Start().ok());
  boost::asio::io_context io;
  ServerOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(first.port());
  Server clash(io.get_executor(), taken, Router());
  Status s = clash.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(taken.listen), std::string::npos) << s;
  ServerOptions garbage;
  garbage.listen = "127.0.0.1:http";
  Server bad(io.get_executor(), garbage, Router());
  EXPECT_FALSE(bad.Start().ok());
}

}  // namespace
}  // namespace sightline::http
