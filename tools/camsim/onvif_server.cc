#include "tools/camsim/onvif_server.h"

#include <algorithm>
#include <exception>
#include <map>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "base/logging.h"
#include "tools/camsim/server.h"

namespace sightline::camsim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kRequestTimeout = std::chrono::seconds(30);

struct OnvifServerState {
  OnvifServerState(asio::io_context& io, std::unique_ptr<OnvifSite> s)
      : acceptor(io), site(std::move(s)) {}

  tcp::acceptor acceptor;
  std::unique_ptr<OnvifSite> site;
  OnvifServer::Options options;
  RealClock real_clock;
  std::map<uint64_t, std::weak_ptr<beast::tcp_stream>> connections;
  uint64_t next_id = 1;
  bool stopped = false;
};

namespace {

std::string Authority(const asio::ip::address& address, uint16_t port) {
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(port);
}

// The request as OnvifSite sees it, with the addresses this client reached us at.
OnvifHttpRequest ToSiteRequest(const http::request<http::string_body>& msg,
                               const tcp::endpoint& local, const OnvifServer::Options& options) {
  OnvifHttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.body = msg.body();
  req.authorization = std::string(msg[http::field::authorization]);
  req.onvif_authority = Authority(local.address(), local.port());
  boost::system::error_code ec;
  const asio::ip::address rtsp = asio::ip::make_address(options.rtsp_host, ec);
  req.rtsp_authority =
      Authority(!ec && !rtsp.is_unspecified() ? rtsp : local.address(), options.rtsp_port);
  return req;
}

http::response<http::string_body> ToBeast(OnvifHttpResponse r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "sightline-camsim");
  res.set(http::field::content_type, r.content_type);
  if (!r.www_authenticate.empty()) res.set(http::field::www_authenticate, r.www_authenticate);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();  // Content-Length: libonvif reads the body by it
  return res;
}

asio::awaitable<void> ServeConnection(std::shared_ptr<OnvifServerState> state,
                                      std::shared_ptr<beast::tcp_stream> stream, uint64_t id) {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  const tcp::endpoint local = stream->socket().local_endpoint(ec);
  while (!state->stopped && !ec) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(kMaxOnvifRequestBytes);
    stream->expires_after(kRequestTimeout);
    auto [read_ec, n] = co_await http::async_read(*stream, buffer, parser, kUseTuple);
    if (read_ec == http::error::body_limit) {
      OnvifHttpResponse too_big{413, "text/plain; charset=utf-8",
                                "request over " + std::to_string(kMaxOnvifRequestBytes) +
                                    " bytes\n", ""};
      http::response<http::string_body> res = ToBeast(std::move(too_big), 11, false);
      co_await http::async_write(*stream, res, kUseTuple);
      break;
    }
    if (read_ec || state->stopped) break;
    const http::request<http::string_body>& msg = parser.get();
    const Clock& clock = state->options.clock ? *state->options.clock : state->real_clock;
    OnvifHttpRequest request = ToSiteRequest(msg, local, state->options);
    request.received = clock.Now();
    OnvifHttpResponse r = state->site->Handle(request, clock.WallNow(), clock.Now());
    // A held pull: asked again when something may have changed (bounded by its Timeout).
    while (r.hold_until && !state->stopped) {
      asio::steady_timer wait(stream->get_executor());
      // At most a second at a time, so that a stopping server lets go soon.
      wait.expires_after(std::clamp<std::chrono::steady_clock::duration>(*r.hold_until - clock.Now(),
                                                                        std::chrono::milliseconds(0),
                                                                        std::chrono::seconds(1)));
      auto [wait_ec] = co_await wait.async_wait(kUseTuple);
      if (wait_ec || state->stopped) break;
      r = state->site->Handle(request, clock.WallNow(), clock.Now());
    }
    if (r.hold_until) break;
    stream->expires_after(kRequestTimeout);
    http::response<http::string_body> res = ToBeast(std::move(r), msg.version(), msg.keep_alive());
    auto [write_ec, written] = co_await http::async_write(*stream, res, kUseTuple);
    if (write_ec || !res.keep_alive()) break;
  }
  stream->socket().shutdown(tcp::socket::shutdown_both, ec);
  stream->close();
  state->connections.erase(id);
}

asio::awaitable<void> AcceptLoop(std::shared_ptr<OnvifServerState> state) {
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kUseTuple);
    if (state->stopped || ec == asio::error::operation_aborted) break;
    if (ec) {
      SL_LOG(kWarning) << "camsim onvif: accept: " << ec.message();
      asio::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    const uint64_t id = state->next_id++;
    state->connections.emplace(id, stream);
    asio::co_spawn(state->acceptor.get_executor(), ServeConnection(state, stream, id),
                   asio::detached);
  }
}

void LogException(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    SL_LOG(kError) << "camsim onvif: accept loop failed: " << ex.what();
  }
}

}  // namespace

Result<std::unique_ptr<OnvifServer>> OnvifServer::Start(asio::io_context& io, Options options,
                                                        std::unique_ptr<OnvifSite> site) {
  ASSIGN_OR_RETURN(auto listen, ParseListenAddress(options.listen));
  auto state = std::make_shared<OnvifServerState>(io, std::move(site));
  state->options = std::move(options);
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(listen.first, ec);
  if (ec) return InvalidArgumentError("--onvif address '" + listen.first + "': " + ec.message());
  const tcp::endpoint endpoint(address, listen.second);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("--onvif: listen on " + state->options.listen + ": " + ec.message());
  const uint16_t port = state->acceptor.local_endpoint(ec).port();
  asio::co_spawn(io, AcceptLoop(state), LogException);
  SL_LOG(kInfo) << "camsim: ONVIF for " << state->site->devices().size() << " devices on http://"
                << listen.first << ":" << port << "/onvif/";
  return std::make_unique<OnvifServer>(std::move(state), port);
}

OnvifServer::OnvifServer(std::shared_ptr<OnvifServerState> state, uint16_t port)
    : state_(std::move(state)), port_(port) {}

OnvifServer::~OnvifServer() = default;

OnvifSite& OnvifServer::site() { return *state_->site; }

void OnvifServer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  auto connections = std::move(state_->connections);
  for (auto& [id, weak] : connections) {
    if (auto s = weak.lock()) s->socket().close(ec);
  }
}

}  // namespace sightline::camsim
