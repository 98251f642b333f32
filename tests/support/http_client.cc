#include "support/http_client.h"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace sightline::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Runs the io_context until `done` or the deadline; on the deadline closes `socket`, which
// completes the pending operation with an error. Beast's own timeouts need its async stream
// wrappers, and asio ignores SO_RCVTIMEO (it polls without a limit), hence this.
template <typename Op>
beast::error_code RunWithTimeout(asio::io_context& io, tcp::socket& socket,
                                 std::chrono::milliseconds timeout, Op op) {
  beast::error_code result = asio::error::would_block;
  bool done = false;
  op([&](beast::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  io.restart();
  io.run_for(timeout);
  if (!done) {
    beast::error_code ignored;
    socket.close(ignored);
    io.restart();
    io.run();
    return asio::error::timed_out;
  }
  return result;
}

Status ToStatus(const beast::error_code& ec, const std::string& what) {
  return UnavailableError(what + ": " + ec.message());
}

// Connects `socket` to the server on 127.0.0.1:`port`.
Status ConnectLocal(tcp::socket& socket, uint16_t port) {
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return ec ? ToStatus(ec, "connect") : Status();
}

}  // namespace

std::string HttpReply::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

Result<HttpReply> Fetch(uint16_t port, const HttpRequest& request,
                        std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  RETURN_IF_ERROR(ConnectLocal(socket, port));
  beast::error_code ec;
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(request.method), request.target, 11);
  if (req.method() == bhttp::verb::unknown) req.method_string(request.method);
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = request.body;
  req.prepare_payload();
  ec = RunWithTimeout(io, socket, timeout, [&](auto handler) {
    bhttp::async_write(socket, req, handler);
  });
  // A server may answer before the body is all sent (413) and close; as RFC 9112 section 9.6
  // asks of clients, the answer is still read when the write failed because of that.
  const bool answered_early = ec == asio::error::broken_pipe || ec == asio::error::connection_reset;
  if (ec && !answered_early) return ToStatus(ec, "write");
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256u << 20);
  if (request.method == "HEAD") parser.skip(true);
  ec = RunWithTimeout(io, socket, timeout, [&](auto handler) {
    bhttp::async_read(socket, buffer, parser, handler);
  });
  if (ec) return ToStatus(ec, answered_early ? "write, then read" : "read");
  HttpReply reply;
  const auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  for (const auto& f : res) reply.headers.emplace(Lower(std::string(f.name_string())), std::string(f.value()));
  reply.body = res.body();
  return reply;
}

Result<std::string> FetchRaw(uint16_t port, const std::string& bytes,
                             std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  RETURN_IF_ERROR(ConnectLocal(socket, port));
  beast::error_code ec;
  // The server may answer and close before it has read everything: errors are expected.
  RunWithTimeout(io, socket, timeout, [&](auto handler) {
    asio::async_write(socket, asio::buffer(bytes), handler);
  });
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = 0;
    ec = RunWithTimeout(io, socket, timeout, [&](auto handler) {
      socket.async_read_some(asio::buffer(buf), [&, handler](beast::error_code e, size_t k) {
        n = k;
        handler(e);
      });
    });
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

struct WsClient::Impl {
  asio::io_context io;
  beast::websocket::stream<tcp::socket> ws{io};
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsClient::~WsClient() {
  beast::error_code ec;
  impl_->ws.next_layer().close(ec);
}

Result<std::unique_ptr<WsClient>> WsClient::Connect(
    uint16_t port, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  auto impl = std::make_unique<Impl>();
  RETURN_IF_ERROR(ConnectLocal(impl->ws.next_layer(), port));
  impl->ws.set_option(beast::websocket::stream_base::decorator(
      [headers](beast::websocket::request_type& req) {
        for (const auto& [k, v] : headers) req.set(k, v);
      }));
  beast::websocket::response_type res;
  const std::string host = "127.0.0.1:" + std::to_string(port);
  beast::error_code ec = RunWithTimeout(impl->io, impl->ws.next_layer(), std::chrono::seconds(10), [&](auto handler) {
    impl->ws.async_handshake(res, host, target, handler);
  });
  if (ec) {
    return UnavailableError("handshake: status " + std::to_string(res.result_int()) + ": " +
                            ec.message());
  }
  impl->ws.read_message_max(64u << 20);
  return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

Result<WsMessage> WsClient::Read(std::chrono::milliseconds timeout) {
  beast::flat_buffer buffer;
  beast::error_code ec = RunWithTimeout(impl_->io, impl_->ws.next_layer(), timeout, [&](auto handler) {
    impl_->ws.async_read(buffer, handler);
  });
  if (ec) return ToStatus(ec, "websocket read");
  return WsMessage{beast::buffers_to_string(buffer.data()), impl_->ws.got_binary()};
}

uint16_t WsClient::close_code() const { return static_cast<uint16_t>(impl_->ws.reason().code); }

Status WsClient::SendText(const std::string& text) {
  impl_->ws.text(true);
  beast::error_code ec =
      RunWithTimeout(impl_->io, impl_->ws.next_layer(), std::chrono::seconds(10), [&](auto handler) {
        impl_->ws.async_write(asio::buffer(text), handler);
      });
  if (ec) return ToStatus(ec, "websocket write");
  return Status();
}

}  // namespace sightline::testing
