#pragma once
// Internal to the server: takes over a connection whose upgrade request a WebSocket route
// accepted, completes the handshake, calls the route's open callback with the WebSocket
// (websocket.h) and serves it until it closes; the connection is then finished.

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "http/connection.h"
#include "http/router.h"
#include "http/wire.h"

namespace sightline::http::internal {

template <class Stream>
boost::asio::awaitable<void> RunWebSocket(std::shared_ptr<Connection<Stream>> conn, BeastRequest upgrade,
                                          Request request, WebSocketOpen on_open);

extern template boost::asio::awaitable<void> RunWebSocket(std::shared_ptr<Connection<PlainStream>>,
                                                          BeastRequest, Request, WebSocketOpen);
extern template boost::asio::awaitable<void> RunWebSocket(std::shared_ptr<Connection<TlsStream>>,
                                                          BeastRequest, Request, WebSocketOpen);

}  // namespace sightline::http::internal
