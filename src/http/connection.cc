#include "http/connection.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "base/logging.h"
#include "http/http_date.h"
#include "http/range.h"
#include "http/stream_body.h"
#include "http/websocket.h"
#include "http/websocket_session.h"
#include "http/wire.h"

namespace sightline::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kWriteChunk = 256 * 1024;         // the write deadline restarts per chunk
constexpr size_t kFileReadChunk = 256 * 1024;      // TLS: read from the file, encrypt, write
constexpr uint64_t kSendfilePerHop = 8ull << 20;   // most bytes one pool step sends
// A lingering close reads and drops up to this much, for up to kDrainTimeout: enough for the
// rest of a body some MiB over the limit, so the client reads its 413 instead of a reset.
constexpr size_t kDrainLimitBytes = 16 << 20;
constexpr auto kDrainTimeout = std::chrono::seconds(2);

// Runs `f` on `executor`; the caller resumes on its own strand.
template <class F>
auto OnExecutor(const asio::any_io_executor& executor, F f) -> awaitable<decltype(f())> {
  using R = decltype(f());
  co_return co_await asio::co_spawn(
      executor, [f = std::move(f)]() mutable -> awaitable<R> { co_return f(); },
      asio::use_awaitable);
}

// Runs `f` on the core's blocking pool; the caller resumes on its own strand.
template <class F>
auto OnPool(ServerCore& core, F f) -> awaitable<decltype(f())> {
  co_return co_await OnExecutor(core.pool->get_executor(), std::move(f));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(FileDescriptor&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// What a request ended in, as far as the connection is concerned.
enum class Next {
  kContinue,  // keep-alive: read the next request
  kClose,     // the last response was written: close gracefully
  kDrop,      // the peer is gone, timed out or unwritable: close at once
  kUpgraded,  // a WebSocket owns the connection now and finishes it
};

struct Exchange {
  std::string method;       // "" when the request line was not understood
  std::string path_for_log;
  Clock::time_point start = Clock::now();
};

// If-Range (RFC 9110 section 13.1.5): the range applies only to the representation the
// client already has; a weak entity tag never matches.
bool IfRangeMatches(const Request& request, const Response& response) {
  const std::optional<std::string_view> if_range = request.headers.Find("If-Range");
  if (!if_range) return true;
  if (if_range->starts_with("W/")) return false;
  if (if_range->starts_with("\"")) return *if_range == response.headers.Get("ETag");
  return *if_range == response.headers.Get("Last-Modified");
}

struct OpenedFile {
  FileDescriptor fd;
  Status status;
};

// Opens the FileBody's file and checks its range lies within the file. Blocking.
OpenedFile OpenFileBody(const FileBody& body) {
  OpenedFile out;
  const int fd = ::open(body.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    out.status = e == ENOENT ? NotFoundError(body.path + ": no such file") : ErrnoError("open " + body.path, e);
    return out;
  }
  out.fd = FileDescriptor(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    out.status = ErrnoError("fstat " + body.path, errno);
    return out;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (!S_ISREG(st.st_mode) || body.offset > size || body.length > size - body.offset) {
    out.status = InternalError(body.path + ": range " + std::to_string(body.offset) + "+" +
                               std::to_string(body.length) + " is not within the file's " +
                               std::to_string(size) + " bytes");
  }
  return out;
}

// Serves one connection's requests; owns the read buffer.
template <class Stream>
class HttpSession {
 public:
  explicit HttpSession(std::shared_ptr<Connection<Stream>> conn)
      : conn_(std::move(conn)),
        core_(conn_->core()),
        options_(core_.options),
        buffer_(options_.header_limit_bytes + kReadChunk) {}

  awaitable<void> Run() {
    conn_->StartWatchdog();
    if constexpr (kIsTls<Stream>) {
      conn_->SetDeadline(options_.header_timeout);
      auto [ec] = co_await conn_->stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
      if (ec) {
        SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " TLS handshake failed: " << ec.message();
        conn_->Finish();
        co_return;
      }
    }
    Next next = Next::kContinue;
    for (bool first = true; next == Next::kContinue; first = false) {
      next = co_await ServeOne(first);
    }
    if (next == Next::kClose) co_await LingeringClose();
    if (next != Next::kUpgraded) conn_->Finish();
  }

 private:
  // Reads, handles and answers one request.
  awaitable<Next> ServeOne(bool first) {
    // Between requests the client may stay quiet for idle_timeout; once the first byte of a
    // request arrived, its header must be complete within header_timeout (slowloris).
    if (buffer_.size() == 0) {
      if (!first) conn_->SetPhase(Phase::kIdle);
      conn_->SetDeadline(first ? options_.header_timeout : options_.idle_timeout);
      auto [ec, n] = co_await conn_->stream.async_read_some(buffer_.prepare(kReadChunk), kUseTuple);
      if (ec) co_return Drop("waiting for a request", ec);
      buffer_.commit(n);
    }
    Exchange ex;
    conn_->SetPhase(Phase::kReading);
    conn_->SetDeadline(options_.header_timeout);
    beast::http::request_parser<beast::http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(std::min<size_t>(options_.header_limit_bytes, UINT32_MAX)));
    parser.body_limit(options_.body_limit_bytes);
    {
      auto [ec, n] = co_await beast::http::async_read_header(conn_->stream, buffer_, parser, kUseTuple);
      if (ec) co_return co_await ReadError(ex, ec, "reading the request header");
    }
    core_.requests.fetch_add(1, std::memory_order_relaxed);
    ex.method = std::string(parser.get().method_string());
    ex.path_for_log = std::string(parser.get().target().substr(0, parser.get().target().find('?')));
    body_limit_ = BodyLimitFor(ex.path_for_log);
    parser.body_limit(body_limit_);  // read again for each chunk of a chunked body
    if (const auto length = parser.content_length(); length && *length > body_limit_) {
      co_return co_await Reply(ex, nullptr, BodyTooLarge(), /*close=*/true);
    }
    if (!parser.is_done()) {
      // RFC 9110 section 10.1.1: a client waiting for 100 (curl does so for larger bodies).
      if (parser.get().version() >= 11 && beast::iequals(parser.get()[beast::http::field::expect], "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        if (!co_await Write(kContinue, {})) co_return Next::kDrop;
      }
      conn_->SetDeadline(options_.idle_timeout);
      auto [ec, n] = co_await beast::http::async_read(conn_->stream, buffer_, parser, kUseTuple);
      if (ec) co_return co_await ReadError(ex, ec, "reading the request body");
    }
    conn_->ClearDeadline();
    conn_->SetPhase(Phase::kBusy);  // a complete request is never evicted

    BeastRequest message = parser.release();
    const bool keep_alive = message.keep_alive();
    keep_alive_1_0_ = keep_alive && message.version() == 10;
    Result<Request> parsed = RequestFromBeast(message, conn_->remote_address(), kIsTls<Stream>);
    if (!parsed.ok()) {
      SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " refused: " << parsed.status().message();
      co_return co_await Reply(ex, nullptr, Response::Error(400, parsed.status().message()), true);
    }
    Request& request = *parsed;
    ex.path_for_log = request.path;
    if (std::optional<Response> refused = GuardRequest(request, options_.guard)) {
      co_return co_await Reply(ex, &request, std::move(*refused), !keep_alive);
    }
    const bool upgrade = IsWebSocketUpgrade(message);
    const Router::Match match = core_.router.Resolve(request, upgrade);
    switch (match.kind) {
      case Router::Match::Kind::kNotFound:
        co_return co_await Reply(ex, &request, Response::Error(404, "not found"), !keep_alive);
      case Router::Match::Kind::kMethodNotAllowed: {
        Response r = Response::Error(405, "method not allowed");
        r.headers.Set("Allow", match.allow);
        co_return co_await Reply(ex, &request, std::move(r), !keep_alive);
      }
      case Router::Match::Kind::kUpgradeRequired: {
        Response r = Response::Error(426, "this is a WebSocket endpoint");
        r.headers.Set("Upgrade", "websocket");
        co_return co_await Reply(ex, &request, std::move(r), !keep_alive);
      }
      case Router::Match::Kind::kHandler: {
        Response response = co_await RunHandler<Response>(*match.handler, request, "handler");
        while (response.deferred) response = co_await RunDeferred(request, *response.deferred);
        co_return co_await Reply(ex, &request, std::move(response), !keep_alive);
      }
      case Router::Match::Kind::kWebSocket:
        co_return co_await Upgrade(ex, *match.websocket, std::move(message), std::move(request), keep_alive);
    }
    co_return Next::kClose;
  }

  // Runs a route's handler on the pool; one that throws gets a 500.
  template <class R, class H>
  awaitable<R> RunHandler(const H& handler, Request& request, const char* what) {
    co_return co_await OnPool(core_, [&handler, &request, what]() -> R {
      try {
        return handler(request);
      } catch (const std::exception& e) {
        SL_LOG(kWarning) << "http path=" << request.path << " " << what << " threw: " << e.what();
      } catch (...) {
        SL_LOG(kWarning) << "http path=" << request.path << " " << what << " threw";
      }
      return Response::Error(500, "internal error");
    });
  }

  // Makes a deferred response on its own executor; one that throws gets a 500.
  awaitable<Response> RunDeferred(const Request& request, DeferredResponse& deferred) {
    co_return co_await OnExecutor(deferred.executor, [&deferred, &request]() -> Response {
      try {
        return deferred.make();
      } catch (const std::exception& e) {
        SL_LOG(kWarning) << "http path=" << request.path << " deferred response threw: " << e.what();
      } catch (...) {
        SL_LOG(kWarning) << "http path=" << request.path << " deferred response threw";
      }
      return Response::Error(500, "internal error");
    });
  }

  awaitable<Next> Upgrade(Exchange& ex, const WebSocketHandler& handler, BeastRequest message, Request request,
                          bool keep_alive) {
    // RFC 6455 section 4.2.1 asks for a key and version 13; section 4.4 for 426 with the
    // version we speak.
    if (message[beast::http::field::sec_websocket_key].empty()) {
      co_return co_await Reply(ex, &request, Response::Error(400, "WebSocket upgrade without Sec-WebSocket-Key"), true);
    }
    if (message[beast::http::field::sec_websocket_version] != "13") {
      Response r = Response::Error(426, "WebSocket version 13 required");
      r.headers.Set("Sec-WebSocket-Version", "13");
      co_return co_await Reply(ex, &request, std::move(r), true);
    }
    if (options_.websocket_check_origin) {
      const std::optional<std::string_view> origin = request.headers.Find("Origin");
      if (origin && !OriginMatchesHost(*origin, request.headers.Get("Host"))) {
        co_return co_await Reply(ex, &request, Response::Error(403, "WebSocket from another origin"), true);
      }
    }
    WebSocketResult result = co_await RunHandler<WebSocketResult>(handler, request, "WebSocket handler");
    if (Response* refusal = std::get_if<Response>(&result)) {
      co_return co_await Reply(ex, &request, std::move(*refusal), !keep_alive);
    }
    WebSocketOpen on_open = std::get<WebSocketOpen>(std::move(result));
    if (!on_open) {
      co_return co_await Reply(ex, &request, Response::Error(500, "internal error"), true);
    }
    SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " method=GET path=" << request.path
                   << " status=101";
    // The buffer may hold bytes after the upgrade request only if the client sent frames
    // before our 101, which RFC 6455 section 4.1 forbids; they are dropped.
    co_await RunWebSocket(conn_, std::move(message), std::move(request), std::move(on_open));
    co_return Next::kUpgraded;
  }

  // Answers a read error: 413 and 431 get a response, the rest just closes.
  awaitable<Next> ReadError(Exchange& ex, const boost::system::error_code& ec, const char* what) {
    if (ec == beast::http::error::header_limit || ec == beast::http::error::buffer_overflow) {
      co_return co_await Reply(
          ex, nullptr, Response::Error(431, "request header over " + std::to_string(options_.header_limit_bytes) + " bytes"),
          true);
    }
    if (ec == beast::http::error::body_limit) co_return co_await Reply(ex, nullptr, BodyTooLarge(), true);
    // Beast's parse errors (bad method, target, field, chunk...) mean a malformed request.
    if (ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category() &&
        ec != beast::http::error::end_of_stream && ec != beast::http::error::partial_message && !conn_->aborted()) {
      SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " malformed request: " << ec.message();
      co_return co_await Reply(ex, nullptr, Response::Error(400, "malformed request: " + ec.message()), true);
    }
    co_return Drop(what, ec);
  }

  size_t BodyLimitFor(std::string_view path) const {
    auto it = options_.body_limit_by_path.find(path);
    return it != options_.body_limit_by_path.end() ? std::min(it->second, options_.body_limit_bytes)
                                                   : options_.body_limit_bytes;
  }

  Response BodyTooLarge() const {
    return Response::Error(413, "request body over " + std::to_string(body_limit_) + " bytes");
  }

  Next Drop(const char* what, const boost::system::error_code& ec) {
    if (conn_->aborted()) {
      SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " closed (timeout or stop) while " << what;
    } else if (ec != asio::error::eof && ec != beast::http::error::end_of_stream) {
      SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " " << what << ": " << ec.message();
    }
    return Next::kDrop;
  }

  // Completes `response` (file, Range, framing), writes it, logs it.
  awaitable<Next> Reply(Exchange& ex, const Request* request, Response response, bool close) {
    const bool head_only = ex.method == "HEAD";
    std::optional<OpenedFile> file;
    if (response.file) {
      OpenedFile opened = co_await OnPool(core_, [&body = *response.file] { return OpenFileBody(body); });
      if (!opened.status.ok()) {
        SL_LOG(kWarning) << "http path=" << ex.path_for_log << " file response: " << opened.status;
        response = Response::Error(opened.status.code() == StatusCode::kNotFound ? 404 : 500,
                                   opened.status.code() == StatusCode::kNotFound ? "not found" : "internal error");
      } else {
        file = std::move(opened);
        ApplyRange(request, response);
        if (!response.file) file.reset();
      }
    }
    ResponseHead head;
    head.content_length = response.stream ? response.stream->length
                          : response.file ? response.file->length
                                          : response.body.size();
    head.close = close || conn_->aborted();
    head.keep_alive_1_0 = keep_alive_1_0_;
    head.date = FormatHttpDate(std::time(nullptr));
    head.tls = kIsTls<Stream>;
    Result<std::string> serialized = SerializeResponseHead(response, head);
    if (!serialized.ok()) {
      SL_LOG(kWarning) << "http path=" << ex.path_for_log << " bad response: " << serialized.status();
      response = Response::Error(500, "internal error");
      file.reset();
      head.content_length = response.body.size();
      serialized = SerializeResponseHead(response, head);
    }
    core_.CountResponse(request != nullptr ? request->route : std::string_view(), response.status);
    const bool bodiless = head_only || response.status < 200 || response.status == 204 || response.status == 304;
    bool ok;
    if (response.stream && !bodiless) {
      ok = co_await Write(*serialized, {}) && co_await SendStream(ex, *response.stream);
    } else if (file && !bodiless) {
      ok = co_await Write(*serialized, {}) &&
           co_await SendFile(file->fd.get(), response.file->offset, response.file->length);
    } else {
      ok = co_await Write(*serialized, bodiless ? std::string_view() : std::string_view(response.body));
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - ex.start).count();
    SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " method=" << ex.method
                   << " path=" << ex.path_for_log << " status=" << response.status
                   << " bytes=" << (bodiless ? 0 : head.content_length) << " ms=" << ms << (ok ? "" : " write failed");
    if (!ok) co_return Next::kDrop;
    co_return head.close ? Next::kClose : Next::kContinue;
  }

  // Sends a stream body: asks for each chunk on its executor, then writes it.
  awaitable<bool> SendStream(const Exchange& ex, StreamBody& body) {
    uint64_t sent = 0;
    while (sent < body.length) {
      // In an optional: co_spawn needs a default-constructible result.
      std::optional<Result<Bytes>> made =
          co_await OnExecutor(body.executor, [&body]() -> std::optional<Result<Bytes>> {
            try {
              return body.next();
            } catch (const std::exception& e) {
              return Result<Bytes>(InternalError(std::string("threw: ") + e.what()));
            }
          });
      Result<Bytes> chunk = std::move(*made);
      if (chunk.ok() && (chunk->empty() || chunk->size() > body.length - sent)) {
        chunk = InternalError("made " + std::to_string(sent + chunk->size()) + " bytes of " +
                              std::to_string(body.length));
      }
      if (!chunk.ok()) {
        SL_LOG(kWarning) << "http path=" << ex.path_for_log << " stream body: " << chunk.status();
        co_return false;
      }
      if (conn_->aborted()) co_return false;
      const std::string_view bytes(reinterpret_cast<const char*>(chunk->data()), chunk->size());
      if (!co_await Write({}, bytes)) co_return false;
      sent += chunk->size();
    }
    co_return true;
  }

  // Narrows a 200 file response to the request's Range (RFC 9110 section 14.2).
  static void ApplyRange(const Request* request, Response& response) {
    FileBody& body = *response.file;
    if (response.status != 200) return;
    response.headers.Set("Accept-Ranges", "bytes");
    if (request == nullptr || (request->method != "GET" && request->method != "HEAD")) return;
    const std::optional<std::string_view> range = request->headers.Find("Range");
    if (!range || !IfRangeMatches(*request, response)) return;
    Result<ByteRange> r = ParseRange(*range, body.length);
    if (r.ok()) {
      response.status = 206;
      response.headers.Set("Content-Range", "bytes " + std::to_string(r->offset) + "-" +
                                                std::to_string(r->offset + r->length - 1) + "/" +
                                                std::to_string(body.length));
      body.offset += r->offset;
      body.length = r->length;
    } else if (r.status().code() == StatusCode::kOutOfRange) {
      const uint64_t size = body.length;
      response = Response::Empty(416);
      response.headers.Set("Content-Range", "bytes */" + std::to_string(size));
    }
  }

  // Writes `head` and `body`, restarting the write deadline per chunk.
  awaitable<bool> Write(std::string_view head, std::string_view body) {
    bool first = true;
    while (first || !body.empty()) {
      const size_t n = std::min(body.size(), kWriteChunk);
      const std::array<asio::const_buffer, 2> buffers = {asio::buffer(first ? head : std::string_view()),
                                                         asio::buffer(body.data(), n)};
      first = false;
      conn_->SetDeadline(options_.write_timeout);
      auto [ec, written] = co_await asio::async_write(conn_->stream, buffers, kUseTuple);
      if (ec) co_return false;
      body.remove_prefix(n);
    }
    conn_->ClearDeadline();
    co_return true;
  }

  awaitable<bool> SendFile(int file_fd, uint64_t offset, uint64_t length) {
    if constexpr (kIsTls<Stream>) {
      // TLS needs the bytes in user space: read a chunk on the pool, encrypt and write it.
      std::vector<char> chunk(std::min<uint64_t>(length, kFileReadChunk));
      while (length > 0) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(length, chunk.size()));
        const auto [n, error] = co_await OnPool(core_, [&] {
          const ssize_t r = ::pread(file_fd, chunk.data(), want, static_cast<off_t>(offset));
          return std::pair<ssize_t, int>(r, r < 0 ? errno : 0);
        });
        if (n <= 0) {
          SL_LOG(kWarning) << "http remote=" << conn_->remote_address() << " file read failed at offset " << offset
                           << ": " << (n < 0 ? std::strerror(error) : "the file shrank");
          co_return false;
        }
        if (!co_await Write({}, std::string_view(chunk.data(), static_cast<size_t>(n)))) co_return false;
        offset += static_cast<uint64_t>(n);
        length -= static_cast<uint64_t>(n);
      }
      co_return true;
    } else {
      // Zero-copy: sendfile(2) on the pool (a page-cache miss blocks on the disk), until the
      // socket is full; then wait for it on the strand.
      boost::system::error_code ec;
      tcp_socket().native_non_blocking(true, ec);
      if (ec) co_return false;
      const int socket_fd = tcp_socket().native_handle();
      off_t off = static_cast<off_t>(offset);
      while (length > 0) {
        struct Step {
          uint64_t sent = 0;
          int error = 0;
        };
        const uint64_t budget = std::min(length, kSendfilePerHop);
        const Step step = co_await OnPool(core_, [&]() {
          Step s;
          while (s.sent < budget) {
            const ssize_t n = ::sendfile(socket_fd, file_fd, &off, static_cast<size_t>(budget - s.sent));
            if (n > 0) {
              s.sent += static_cast<uint64_t>(n);
            } else if (n == 0) {
              s.error = ENODATA;  // the file shrank under us
              break;
            } else if (errno != EINTR) {
              s.error = errno;
              break;
            }
          }
          return s;
        });
        length -= step.sent;
        if (step.error == EAGAIN || step.error == EWOULDBLOCK) {
          conn_->SetDeadline(options_.write_timeout);
          auto [wec] = co_await tcp_socket().async_wait(asio::ip::tcp::socket::wait_write, kUseTuple);
          if (wec || conn_->aborted()) co_return false;
        } else if (step.error != 0) {
          if (step.error != EPIPE && step.error != ECONNRESET) {
            SL_LOG(kWarning) << "http remote=" << conn_->remote_address() << " sendfile: " << std::strerror(step.error);
          }
          co_return false;
        }
        if (conn_->aborted()) co_return false;
      }
      conn_->ClearDeadline();
      co_return true;
    }
  }

  asio::ip::tcp::socket& tcp_socket() { return conn_->socket(); }

  // After the last response: stop sending, then read and discard what the client still
  // sends for a moment, so closing does not reset the connection and destroy the response
  // before the client read it (RFC 9112 section 9.6).
  awaitable<void> LingeringClose() {
    conn_->SetPhase(Phase::kIdle);  // done: evicting it costs nobody anything
    boost::system::error_code ec;
    tcp_socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) co_return;
    conn_->SetDeadline(std::chrono::duration_cast<std::chrono::milliseconds>(kDrainTimeout));
    std::array<char, 4096> sink;
    size_t drained = 0;
    while (drained < kDrainLimitBytes) {
      auto [rec, n] = co_await tcp_socket().async_read_some(asio::buffer(sink), kUseTuple);
      if (rec) break;
      drained += n;
    }
  }

  std::shared_ptr<Connection<Stream>> conn_;
  ServerCore& core_;
  const ServerOptions& options_;
  beast::flat_buffer buffer_;
  bool keep_alive_1_0_ = false;
  size_t body_limit_ = 0;  // of the request being read
};

}  // namespace

ConnectionBase::ConnectionBase(std::shared_ptr<ServerCore> core, std::string remote_address,
                               asio::any_io_executor strand)
    : core_(std::move(core)), remote_address_(std::move(remote_address)), strand_(strand), timer_(strand) {}

ConnectionBase::~ConnectionBase() { core_->Remove(this); }

void ConnectionBase::StartWatchdog() {
  asio::co_spawn(strand_, Watchdog(shared_from_this()), asio::detached);
}

// `self` is never read: holding it keeps the connection alive while the watchdog waits.
awaitable<void> ConnectionBase::Watchdog([[maybe_unused]] std::shared_ptr<ConnectionBase> self) {
  while (!finished_ && !aborted_) {
    timer_.expires_at(deadline_);
    co_await timer_.async_wait(kUseTuple);
    if (finished_ || aborted_) break;
    if (Clock::now() >= deadline_) {
      Abort();
      break;
    }
  }
}

void ConnectionBase::SetDeadline(std::chrono::milliseconds from_now) {
  deadline_ = Clock::now() + from_now;
  // The watchdog sleeps until the old deadline; wake it when the new one is earlier.
  if (deadline_ < timer_.expiry()) timer_.cancel();
}

void ConnectionBase::ClearDeadline() { deadline_ = Clock::time_point::max(); }

void ConnectionBase::SetPhase(Phase phase) { core_->SetPhase(this, phase); }

void ConnectionBase::Abort() {
  if (aborted_ || finished_) return;
  aborted_ = true;
  boost::system::error_code ignored;
  socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket().cancel(ignored);
  timer_.cancel();
}

void ConnectionBase::Finish() {
  if (finished_) return;
  finished_ = true;
  boost::system::error_code ignored;
  socket().close(ignored);
  timer_.cancel();
  core_->Remove(this);
}

template <class Stream>
awaitable<void> ServeConnection(std::shared_ptr<Connection<Stream>> conn) {
  HttpSession<Stream> session(std::move(conn));
  co_await session.Run();
}

template awaitable<void> ServeConnection(std::shared_ptr<Connection<PlainStream>>);
template awaitable<void> ServeConnection(std::shared_ptr<Connection<TlsStream>>);

}  // namespace sightline::http::internal
