// ParseMqtt: the `mqtt:` section of sightline.yaml (docs/ref/config.md, docs/ref/mqtt.md).
// Same contract as parse_config.cc: problems go to the Context with file:line, parsing goes on.

#include <algorithm>
#include <string>
#include <string_view>

#include "config/parse_sections.h"

namespace sightline::config {
namespace {

constexpr std::string_view kMqttKeys[] = {"host", "port", "user", "password", "tls",
                                          "topic_prefix", "client_id", "commands", "base_url"};
// MQTT 3.1.1 section 3.1.3.1: servers must accept client ids of 1 to 23 of these characters.
constexpr size_t kMaxClientId = 23;
constexpr size_t kMaxPrefix = 128;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Levels of [A-Za-z0-9_-] joined by single '/': no wildcards (+ #), no empty level, no '$'
// (reserved for the broker's own topics).
bool IsTopicPrefix(std::string_view s) {
  if (s.empty() || s.size() > kMaxPrefix || s.front() == '/' || s.back() == '/') return false;
  if (s.find("//") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsIdChar(c) || c == '/'; });
}

void ParseText(Context& ctx, const MapReader& map, std::string_view key, bool (*valid)(std::string_view),
               std::string_view rule, std::string* out) {
  const Field* f = map.Find(key);
  if (f == nullptr) return;
  std::optional<std::string> text = ReadString(ctx, *f);
  if (!text) return;
  if (valid != nullptr && !valid(*text)) {
    f->Error(ctx, "\"" + *text + "\" " + std::string(rule));
    return;
  }
  *out = std::move(*text);
}

bool IsClientId(std::string_view s) {
  return !s.empty() && s.size() <= kMaxClientId && std::all_of(s.begin(), s.end(), IsIdChar);
}

// A name or an address without port or brackets: one ':' is HOST:PORT (IPv6 has several).
bool IsHost(std::string_view s) {
  return !s.empty() && s.find_first_of(" /\t[]") == std::string_view::npos && std::count(s.begin(), s.end(), ':') != 1;
}

}  // namespace

bool IsBaseUrl(std::string_view s) {
  const bool scheme = s.starts_with("http://") || s.starts_with("https://");
  return scheme && !s.ends_with("/") && s.find_first_of(" \t\r\n\"") == std::string_view::npos;
}

MqttConfig ParseMqtt(Context& ctx, const Field& f) {
  MqttConfig out;
  const MapReader map(ctx, f, kMqttKeys);
  if (map.Require("host") != nullptr) {
    ParseText(ctx, map, "host", IsHost, "is not a host name or address (give the port as mqtt.port)", &out.host);
  }
  if (const Field* port = map.Find("port")) {
    if (std::optional<int64_t> n = ReadInt(ctx, *port)) {
      if (CheckRange(ctx, *port, *n, 1, 65535, "between 1 and 65535", "")) out.port = static_cast<int>(*n);
    }
  }
  ParseText(ctx, map, "user", nullptr, "", &out.user);
  ParseText(ctx, map, "password", nullptr, "", &out.password);
  const Field* user = map.Find("user");
  const Field* password = map.Find("password");
  if ((user == nullptr) != (password == nullptr)) {
    (user ? user : password)->KeyError(ctx, "give both mqtt.user and mqtt.password, or neither");
  }
  if (const Field* tls = map.Find("tls")) out.tls = ReadBool(ctx, *tls).value_or(false);
  ParseText(ctx, map, "topic_prefix", IsTopicPrefix,
            "is not a topic prefix: levels of A-Z a-z 0-9 _ - joined by single '/', no wildcards, "
            "no '/' at either end, at most 128 characters",
            &out.topic_prefix);
  ParseText(ctx, map, "client_id", IsClientId,
            "is not a client id: 1 to 23 of A-Z a-z 0-9 _ - (what every MQTT 3.1.1 broker accepts)",
            &out.client_id);
  if (const Field* commands = map.Find("commands")) out.commands = ReadBool(ctx, *commands).value_or(true);
  ParseText(ctx, map, "base_url", IsBaseUrl,
            "is not a base URL: http:// or https://, host and port, without a trailing '/'", &out.base_url);
  return out;
}

}  // namespace sightline::config
