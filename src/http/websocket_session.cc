#include "http/websocket_session.h"

#include <deque>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "base/logging.h"
#include "base/mutex.h"
#include "http/websocket.h"

namespace sightline::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// The WebSocket handed to the route's callbacks. The read loop and the writer run on the
// connection's strand; Send/Close/On* take mu_ and may come from any thread.
template <class Stream>
class WebSocketSession final : public WebSocket, public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(std::shared_ptr<Connection<Stream>> conn, Request request)
      : conn_(std::move(conn)), options_(conn_->core().options), ws_(conn_->stream), request_(std::move(request)) {}

  bool Send(std::shared_ptr<const std::string> message, bool binary) override {
    if (!message) return false;
    MutexLock lock(mu_);
    if (closed_ || closing_) return false;
    if (queued_bytes_ > 0 && queued_bytes_ + message->size() > options_.websocket_queue_limit_bytes) return false;
    queued_bytes_ += message->size();
    queue_.push_back(Item{std::move(message), binary});
    StartWriterLocked();
    return true;
  }

  size_t queued_bytes() const override {
    MutexLock lock(mu_);
    return queued_bytes_;
  }

  void Close(std::string_view reason, uint16_t code) override {
    MutexLock lock(mu_);
    if (closed_ || closing_) return;
    closing_ = true;
    // A close frame's payload is at most 125 bytes, 2 of them the code (RFC 6455 section 5.5).
    close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason.substr(0, 123));
    StartWriterLocked();
  }

  void OnMessage(std::function<void(std::string)> callback) override {
    MutexLock lock(mu_);
    if (!closed_) on_message_ = std::move(callback);
  }

  void OnClose(std::function<void()> callback) override {
    MutexLock lock(mu_);
    if (!closed_) on_close_ = std::move(callback);
  }

  void OnWritten(std::function<void(const std::string&)> callback) override {
    MutexLock lock(mu_);
    if (!closed_) on_written_ = std::move(callback);
  }

  const Request& request() const override { return request_; }

  // On the strand: handshake, open callback, then the read loop until the socket closes.
  awaitable<void> Run(BeastRequest upgrade, WebSocketOpen on_open) {
    ServerCore& core = conn_->core();
    conn_->ClearDeadline();  // the stream's own timeouts take over
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = options_.header_timeout;  // also bounds the close handshake
    timeouts.idle_timeout = options_.websocket_idle_timeout;
    timeouts.keep_alive_pings = true;  // a ping at half the idle timeout
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.erase(beast::http::field::server); }));
    ws_.read_message_max(0);  // ReadLoop enforces websocket_max_message_bytes
    ws_.auto_fragment(false);  // one frame per message: live video sends large binary messages
    auto [ec] = co_await ws_.async_accept(upgrade, kUseTuple);
    if (ec) {
      SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " WebSocket handshake failed: " << ec.message();
      core.CountResponse(request_.route, 400);
      conn_->Finish();
      co_return;
    }
    core.CountResponse(request_.route, 101);
    core.websockets_open.fetch_add(1, std::memory_order_relaxed);
    try {
      on_open(this->shared_from_this());
    } catch (const std::exception& e) {
      SL_LOG(kWarning) << "http path=" << request_.path << " WebSocket open callback threw: " << e.what();
      Close("internal error", 1011);
    }
    co_await ReadLoop();
    core.websockets_open.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  struct Item {
    std::shared_ptr<const std::string> message;
    bool binary = false;
  };

  // The size limit is enforced here rather than with Beast's read_message_max: Beast fails
  // the connection by closing the socket right after its close frame, and a peer still
  // sending then gets a reset that destroys the 1009 before it is read. Here the close goes
  // through the writer, and the rest of the message is read and dropped until the peer
  // answers (or the close timeout passes).
  awaitable<void> ReadLoop() {
    constexpr size_t kDiscardChunk = 64 * 1024;
    const size_t limit = options_.websocket_max_message_bytes;
    beast::flat_buffer buffer;
    bool discarding = false;
    for (;;) {
      const size_t room = discarding ? kDiscardChunk : limit + 1 - buffer.size();
      auto [ec, n] = co_await ws_.async_read_some(buffer, room, kUseTuple);
      if (ec) {
        if (ec != websocket::error::closed && ec != asio::error::operation_aborted && ec != asio::error::eof) {
          SL_LOG(kDebug) << "http remote=" << conn_->remote_address() << " path=" << request_.path
                         << " WebSocket ended: " << ec.message();
        }
        break;
      }
      if (discarding) {
        buffer.consume(buffer.size());
        continue;
      }
      if (buffer.size() > limit) {
        discarding = true;
        buffer.consume(buffer.size());
        Close("message over " + std::to_string(limit) + " bytes", kCloseTooBig);
        continue;
      }
      if (!ws_.is_message_done()) continue;
      if (ws_.got_binary()) {
        discarding = true;
        buffer.consume(buffer.size());
        Close("binary messages are not accepted", kCloseUnsupportedData);
        continue;
      }
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      std::function<void(std::string)> callback;
      {
        MutexLock lock(mu_);
        callback = on_message_;
      }
      if (callback) Invoke("message", [&] { callback(std::move(text)); });
    }
    Teardown();
  }

  // Ends the session once the read loop has: callbacks dropped, the queue freed, and the
  // connection finished as soon as the writer is idle too.
  void Teardown() {
    conn_->Abort();  // ends a write in progress
    std::function<void()> on_close;
    bool writer_idle;
    {
      MutexLock lock(mu_);
      closed_ = true;
      writer_idle = !writing_;
      if (writer_idle) {
        queue_.clear();
        queued_bytes_ = 0;
      }
      on_close = std::move(on_close_);
      on_close_ = nullptr;
      on_message_ = nullptr;
      on_written_ = nullptr;
    }
    if (on_close) Invoke("close", on_close);
    if (writer_idle) conn_->Finish();
  }

  template <class F>
  void Invoke(const char* what, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      SL_LOG(kWarning) << "http path=" << request_.path << " WebSocket " << what << " callback threw: " << e.what();
    } catch (...) {
      SL_LOG(kWarning) << "http path=" << request_.path << " WebSocket " << what << " callback threw";
    }
  }

  // post, not co_spawn: co_spawn may start the writer inline, and it takes mu_.
  void StartWriterLocked() SL_REQUIRES(mu_) {
    if (writing_) return;
    writing_ = true;
    asio::post(conn_->strand(), [self = this->shared_from_this()] {
      asio::co_spawn(self->conn_->strand(), self->WriteLoop(self), asio::detached);
    });
  }

  // Writes queued messages, then the close frame if one was asked for. One at a time: Beast
  // allows a single write operation in flight (pings and close answers are its own).
  awaitable<void> WriteLoop(std::shared_ptr<WebSocketSession> /*keep_alive*/) {
    for (;;) {
      Item item;
      bool send_close = false;
      websocket::close_reason close_reason;
      {
        MutexLock lock(mu_);
        if (closed_) break;
        if (!queue_.empty()) {
          item = queue_.front();
        } else if (closing_ && !close_sent_) {
          close_sent_ = true;
          send_close = true;
          close_reason = close_reason_;
        } else {
          break;
        }
      }
      conn_->SetDeadline(options_.write_timeout);  // a peer that does not read
      boost::system::error_code ec;
      if (send_close) {
        std::tie(ec) = co_await ws_.async_close(close_reason, kUseTuple);
      } else {
        ws_.binary(item.binary);
        std::tie(ec, std::ignore) = co_await ws_.async_write(asio::buffer(*item.message), kUseTuple);
        std::function<void(const std::string&)> on_written;
        {
          MutexLock lock(mu_);
          if (!queue_.empty()) {
            queued_bytes_ -= queue_.front().message->size();
            queue_.pop_front();
          }
          if (!ec) on_written = on_written_;
        }
        if (on_written) Invoke("written", [&] { on_written(*item.message); });
      }
      conn_->ClearDeadline();
      if (ec) {
        conn_->Abort();  // the read loop ends too
        break;
      }
    }
    bool finish;
    {
      MutexLock lock(mu_);
      writing_ = false;
      finish = closed_;
      if (closed_) {
        queue_.clear();
        queued_bytes_ = 0;
      }
    }
    if (finish) conn_->Finish();
  }

  std::shared_ptr<Connection<Stream>> conn_;
  const ServerOptions& options_;
  websocket::stream<Stream&> ws_;
  const Request request_;

  mutable Mutex mu_;
  std::deque<Item> queue_ SL_GUARDED_BY(mu_);
  size_t queued_bytes_ SL_GUARDED_BY(mu_) = 0;
  bool writing_ SL_GUARDED_BY(mu_) = false;
  bool closing_ SL_GUARDED_BY(mu_) = false;
  bool close_sent_ SL_GUARDED_BY(mu_) = false;
  bool closed_ SL_GUARDED_BY(mu_) = false;
  websocket::close_reason close_reason_ SL_GUARDED_BY(mu_);
  std::function<void(std::string)> on_message_ SL_GUARDED_BY(mu_);
  std::function<void()> on_close_ SL_GUARDED_BY(mu_);
  std::function<void(const std::string&)> on_written_ SL_GUARDED_BY(mu_);
};

}  // namespace

template <class Stream>
awaitable<void> RunWebSocket(std::shared_ptr<Connection<Stream>> conn, BeastRequest upgrade, Request request,
                             WebSocketOpen on_open) {
  auto session = std::make_shared<WebSocketSession<Stream>>(std::move(conn), std::move(request));
  co_await session->Run(std::move(upgrade), std::move(on_open));
}

template awaitable<void> RunWebSocket(std::shared_ptr<Connection<PlainStream>>, BeastRequest, Request, WebSocketOpen);
template awaitable<void> RunWebSocket(std::shared_ptr<Connection<TlsStream>>, BeastRequest, Request, WebSocketOpen);

}  // namespace sightline::http::internal
