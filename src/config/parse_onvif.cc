// A camera's `onvif:` map: the camera is named by its ONVIF device service instead of stream
// URLs, and stands for two streams whose URLs the app resolves from the device's profiles
// (docs/ref/config.md, docs/design/onvif.md).
//
//   onvif: {host: 192.168.1.20, user: admin, password: ${DOOR_PASSWORD}}

#include <algorithm>
#include <string>

#include "config/parse_sections.h"

namespace sightline::config {
namespace {

constexpr std::string_view kOnvifKeys[] = {"host",   "user",          "password",     "transport",
                                           "events", "event_timeout", "invert_events"};
constexpr std::string_view kEventKinds[] = {"motion", "tamper", "input"};
// Where nearly every device serves its device service (ONVIF Core, section 5.1.1).
constexpr std::string_view kDefaultDevicePath = "/onvif/device_service";

// HOST, HOST:PORT, [IPV6]:PORT or http(s)://HOST[:PORT][/PATH] -> the device service URL; an
// empty string after reporting. Credentials in the text are refused: they go in user/password,
// where the log and the API never show them.
std::string DeviceUrl(Context& ctx, const Field& f, std::string_view text) {
  std::string scheme = "http://";
  std::string_view rest = text;
  for (std::string_view s : {"http://", "https://"}) {
    if (rest.starts_with(s)) {
      scheme = std::string(s);
      rest.remove_prefix(s.size());
    }
  }
  if (rest.find("://") != std::string_view::npos) {
    f.Error(ctx, "host must be an address (HOST, HOST:PORT) or an http:// or https:// URL");
    return "";
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    f.Error(ctx, "host carries credentials: give them as user and password");
    return "";
  }
  if (authority.empty() || authority.front() == ':' ||
      authority.find_first_of(" \t?#") != std::string_view::npos) {
    f.Error(ctx, "host has no valid address");
    return "";
  }
  if (path.empty() || path == "/") path = kDefaultDevicePath;
  return scheme + std::string(authority) + std::string(path);
}

// events, event_timeout (1 s to 1 h), invert_events: a list of motion, tamper, input.
void ParseEvents(Context& ctx, const MapReader& map, OnvifSource* source) {
  if (const Field* events = map.Find("events")) source->events = ReadBool(ctx, *events).value_or(true);
  if (const Field* timeout = map.Find("event_timeout")) {
    if (std::optional<int64_t> ms = ReadDurationMs(ctx, *timeout);
        ms && CheckRange(ctx, *timeout, *ms, 1000, 3'600'000, "between 1s and 1h", "")) {
      source->event_timeout_ms = *ms;
    }
  }
  if (const Field* invert = map.Find("invert_events")) {
    for (const Field& item : ListItems(ctx, *invert)) {
      std::optional<std::string> kind = ReadString(ctx, item);
      if (!kind) continue;
      if (std::find(std::begin(kEventKinds), std::end(kEventKinds), *kind) == std::end(kEventKinds)) {
        item.Error(ctx, "'" + *kind + "' is no camera event kind (motion, tamper, input)");
        continue;
      }
      source->inverted_events.push_back(*kind);
    }
  }
}

}  // namespace

std::optional<OnvifSource> ParseOnvif(Context& ctx, const Field& f, const Retention& retention,
                                      std::vector<StreamConfig>* streams) {
  const MapReader map(ctx, f, kOnvifKeys);
  if (!map.is_map()) return std::nullopt;
  OnvifSource source;
  if (const Field* host = map.Require("host")) {
    if (std::optional<std::string> text = ReadString(ctx, *host)) source.device_url = DeviceUrl(ctx, *host, *text);
  }
  const Field* user = map.Find("user");
  const Field* password = map.Find("password");
  if (user) source.user = ReadString(ctx, *user).value_or("");
  if (password) source.password = ReadString(ctx, *password).value_or("");
  if (password && !user) password->KeyError(ctx, "password without user");
  if (user && !password) user->KeyError(ctx, "user without password");
  Transport transport = Transport::kTcp;
  if (const Field* t = map.Find("transport")) transport = ReadTransport(ctx, *t);
  ParseEvents(ctx, map, &source);

  auto stream = [&](std::string name, std::vector<Role> roles) {
    StreamConfig s;
    s.name = std::move(name);
    s.user = source.user;
    s.password = source.password;
    s.transport = transport;
    s.roles = std::move(roles);
    s.retention = retention;
    return s;
  };
  streams->push_back(stream("main", {Role::kRecord}));
  streams->push_back(stream("sub", {Role::kDetect, Role::kLive}));
  return source;
}

}  // namespace sightline::config
