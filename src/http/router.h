#pragma once
// Router: maps a method and a normalised path (Request::path) to a handler.
//
//   router.Add("GET", "/api/cameras/{camera}/recordings", [](Request& r) {
//     return Response::Json(200, List(r.Param("camera")));
//   });
//   router.AddPrefix("GET", "/", [root](Request& r) { return ServeStatic(root, r); });
//
// Patterns are literal segments and "{name}" segments, each matching one non-empty segment.
// The request's `route` names the route that matched by its pattern, a prefix route's with
// "/*" after the prefix ("/*", "/api/*"): a name with bounded cardinality for metrics.
// Exact patterns win over prefix routes, the longest prefix wins among those. A path that
// matches a route under another method gives 405 with Allow; no match gives 404. HEAD uses
// the GET handler when no HEAD route exists (RFC 9110 section 9.3.2); the server drops the body.
//
// Threads: build the router before handing it to the Server; it is immutable afterwards and
// Resolve() may be called from any thread. Handlers run on the server's blocking pool, may
// block (SQLite, files, a decode), and may run concurrently with themselves.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/request.h"

namespace sightline::http {

class WebSocket;

using Handler = std::function<Response(Request&)>;
// Called once the WebSocket handshake completed; see websocket.h for what it may do.
using WebSocketOpen = std::function<void(std::shared_ptr<WebSocket>)>;
// Runs on the blocking pool with the validated upgrade request. Returns a Response (401, 403,
// 404...) to refuse the upgrade with, or the callback to call once the socket is open.
using WebSocketHandler = std::function<std::variant<Response, WebSocketOpen>(Request&)>;

class Router {
 public:
  // `pattern` starts with "/"; "{name}" segments fill Request::params.
  void Add(std::string method, std::string_view pattern, Handler handler);
  // Matches `prefix` ("/" or "/ui") and every path below it; Param("*") is the rest of the
  // path without its leading "/" ("" for the prefix itself).
  void AddPrefix(std::string method, std::string_view prefix, Handler handler);
  // A GET with a WebSocket upgrade on `pattern`. A GET without upgrade there gets 426.
  void AddWebSocket(std::string_view pattern, WebSocketHandler handler);

  struct Match {
    enum class Kind { kHandler, kWebSocket, kNotFound, kMethodNotAllowed, kUpgradeRequired };
    Kind kind = Kind::kNotFound;
    const Handler* handler = nullptr;               // kHandler
    const WebSocketHandler* websocket = nullptr;    // kWebSocket
    std::string allow;                              // kMethodNotAllowed: "GET, HEAD"
  };
  // Finds the route for `request` (method, path, and whether it asks for a WebSocket
  // upgrade) and fills request.params and request.route. The pointers stay valid as long as the router.
  Match Resolve(Request& request, bool websocket_upgrade) const;

 private:
  struct Route {
    std::string method;                 // "" for WebSocket routes
    std::vector<std::string> segments;  // "{name}" for a parameter
    bool prefix = false;
    Handler handler;
    WebSocketHandler websocket;
    std::string pattern;  // as added; a prefix route's ends in "/*" (Request::route)
  };
  std::vector<Route> routes_;
};

}  // namespace sightline::http
