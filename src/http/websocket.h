#pragma once
// WebSocket: one open WebSocket connection (RFC 6455), as handed to the WebSocketOpen
// callback of a route (router.h). An interface, so code built on it can be tested with a fake.
//
//   router.AddWebSocket("/api/cameras/{camera}/live", [](Request& r) -> WebSocketResult {
//     if (!Allowed(r)) return Response::Error(403, "no access to this camera");
//     return WebSocketOpen([](std::shared_ptr<WebSocket> ws) {
//       ws->OnMessage([](std::string text) { ... });
//       ws->OnClose([] { ... });
//       ws->Send(std::make_shared<const std::string>(init_segment), /*binary=*/true);
//     });
//   });
//
// Threads: every method may be called from any thread and never blocks. The callbacks run on
// the connection's strand (a network thread), one at a time, and must not block. Messages are
// read only after the open callback returned, so callbacks set there see every message.
// Lifetime: the server keeps the object alive while the connection is open; after OnClose ran
// it drops the callbacks it holds (breaking cycles through captured shared_ptrs), and further
// Send() calls return false.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "http/request.h"
#include "http/router.h"

namespace sightline::http {

using WebSocketResult = std::variant<Response, WebSocketOpen>;

// Close codes used by the server (RFC 6455 section 7.4.1).
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;
inline constexpr uint16_t kCloseUnsupportedData = 1003;  // a binary message from the client
inline constexpr uint16_t kClosePolicyViolation = 1008;
inline constexpr uint16_t kCloseTooBig = 1009;           // a message over the size limit

class WebSocket {
 public:
  virtual ~WebSocket() = default;

  // Queues `message` for sending and returns true, or returns false without queueing when the
  // socket is closing or closed, or when the queue holds bytes and adding `message` would
  // take it over its bound (ServerOptions::websocket_queue_limit_bytes); the caller decides
  // what to skip. A message larger than the bound is accepted when the queue is empty.
  virtual bool Send(std::shared_ptr<const std::string> message, bool binary) = 0;
  // Bytes queued and not yet fully written to the socket.
  virtual size_t queued_bytes() const = 0;
  // Sends a close frame after the queued messages; the socket closes when the peer answers or
  // after the close timeout. Idempotent.
  virtual void Close(std::string_view reason = "", uint16_t code = kCloseNormal) = 0;
  // Text messages from the client. A binary message closes the socket with 1003.
  virtual void OnMessage(std::function<void(std::string text)> callback) = 0;
  // Called once when the connection ended, for whatever reason.
  virtual void OnClose(std::function<void()> callback) = 0;
  // Called each time a message given to Send has been written whole to the socket (handed to
  // the kernel), with that message: what a sender needs to time its messages end to end.
  virtual void OnWritten(std::function<void(const std::string& message)> callback) = 0;
  // The upgrade request, with the params the router filled.
  virtual const Request& request() const = 0;
};

}  // namespace sightline::http
