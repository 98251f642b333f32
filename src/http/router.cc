#include "http/router.h"

#include <algorithm>
#include <cassert>

namespace sightline::http {

namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

void AddAllow(std::string& allow, std::string_view method) {
  for (size_t pos = 0; pos < allow.size();) {
    size_t end = allow.find(", ", pos);
    if (end == std::string::npos) end = allow.size();
    if (std::string_view(allow).substr(pos, end - pos) == method) return;
    pos = end + 2;
  }
  if (!allow.empty()) allow += ", ";
  allow += method;
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, Handler handler) {
  assert(!pattern.empty() && pattern[0] == '/');
  routes_.push_back(Route{std::move(method), SplitPath(pattern), false, std::move(handler), {}, std::string(pattern)});
}

void Router::AddPrefix(std::string method, std::string_view prefix, Handler handler) {
  assert(!prefix.empty() && prefix[0] == '/');
  std::string name(prefix);
  name += name.ends_with('/') ? "*" : "/*";
  routes_.push_back(Route{std::move(method), SplitPath(prefix), true, std::move(handler), {}, std::move(name)});
}

void Router::AddWebSocket(std::string_view pattern, WebSocketHandler handler) {
  assert(!pattern.empty() && pattern[0] == '/');
  routes_.push_back(Route{"", SplitPath(pattern), false, {}, std::move(handler), std::string(pattern)});
}

Router::Match Router::Resolve(Request& request, bool websocket_upgrade) const {
  const std::vector<std::string> path = SplitPath(request.path);
  const bool head = request.method == "HEAD";

  const auto match_path = [&](const Route& r, std::map<std::string, std::string>& params) {
    if (r.prefix ? path.size() < r.segments.size() : path.size() != r.segments.size()) return false;
    for (size_t i = 0; i < r.segments.size(); ++i) {
      if (IsParam(r.segments[i])) {
        params[r.segments[i].substr(1, r.segments[i].size() - 2)] = path[i];
      } else if (r.segments[i] != path[i]) {
        return false;
      }
    }
    if (r.prefix) {
      std::string rest;
      for (size_t i = r.segments.size(); i < path.size(); ++i) {
        if (!rest.empty()) rest += '/';
        rest += path[i];
      }
      params["*"] = std::move(rest);
    }
    return true;
  };
  // Exact routes before prefix routes, a longer prefix before a shorter one, and among exact
  // routes the one with more literal segments ("/cameras/all" before "/cameras/{camera}").
  const auto rank = [](const Route& r) {
    if (r.prefix) return static_cast<int>(r.segments.size());
    return (1 << 20) + static_cast<int>(std::count_if(r.segments.begin(), r.segments.end(),
                                                      [](const std::string& s) { return !IsParam(s); }));
  };

  // Among routes whose path matches: the one for this method (or GET for HEAD) with the best
  // rank; the methods of the others build Allow.
  const Route* best = nullptr;
  const Route* best_get = nullptr;
  std::map<std::string, std::string> best_params, best_get_params;
  const Route* websocket = nullptr;
  std::map<std::string, std::string> websocket_params;
  std::string allow;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> params;
    if (!match_path(r, params)) continue;
    if (r.websocket) {
      AddAllow(allow, "GET");
      if (!websocket || rank(r) > rank(*websocket)) {
        websocket = &r;
        websocket_params = std::move(params);
      }
      continue;
    }
    AddAllow(allow, r.method);
    if (r.method == "GET") AddAllow(allow, "HEAD");
    if (r.method == request.method && (!best || rank(r) > rank(*best))) {
      best = &r;
      best_params = params;
    }
    if (r.method == "GET" && (!best_get || rank(r) > rank(*best_get))) {
      best_get = &r;
      best_get_params = std::move(params);
    }
  }
  if (head && !best && best_get) {
    best = best_get;
    best_params = std::move(best_get_params);
  }

  Match m;
  // An upgrade goes to a WebSocket route that matches at least as specifically as any other.
  if (websocket && (!best || rank(*websocket) >= rank(*best))) {
    if (websocket_upgrade) {
      request.params = std::move(websocket_params);
      request.route = websocket->pattern;
      m.kind = Match::Kind::kWebSocket;
      m.websocket = &websocket->websocket;
      return m;
    }
    if (!best || rank(*websocket) > rank(*best)) {
      m.kind = request.method == "GET" || head ? Match::Kind::kUpgradeRequired
                                                : Match::Kind::kMethodNotAllowed;
      m.allow = std::move(allow);
      return m;
    }
  }
  if (best) {
    request.params = std::move(best_params);
    request.route = best->pattern;
    m.kind = Match::Kind::kHandler;
    m.handler = &best->handler;
    return m;
  }
  if (!allow.empty()) {
    m.kind = Match::Kind::kMethodNotAllowed;
    m.allow = std::move(allow);
    return m;
  }
  return m;
}

}  // namespace sightline::http
