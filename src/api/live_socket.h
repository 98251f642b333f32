#pragma once
// SubscribeLiveSocket: serves one live viewer on a WebSocket from a stream's hub, as the live
// route (live_routes.cc) does; also used by bench/live.cc so that it measures that path.

#include <functional>
#include <memory>

#include "http/websocket.h"
#include "live/stream_hub.h"

namespace sightline::api {

// Subscribes `ws` to `hub` (the socket's bounded queue is the viewer's queue) and unsubscribes
// it when the socket closes, then calls `on_close` if given. `hub` must outlive the socket.
void SubscribeLiveSocket(live::StreamHub* hub, const std::shared_ptr<http::WebSocket>& ws,
                         std::function<void()> on_close = {});

}  // namespace sightline::api
