// ParseWebhooks: the `webhooks:` list of sightline.yaml (docs/ref/config.md, docs/ref/webhooks.md).
// Same contract as parse_config.cc: problems go to the Context with file:line, parsing goes on.

#include <algorithm>
#include <string>
#include <string_view>

#include "config/parse_sections.h"
#include "webhook/event.h"

namespace sightline::config {
namespace {

constexpr std::string_view kWebhookKeys[] = {"url", "secret", "events", "cameras", "timeout", "max_queue", "base_url"};
// A secret shorter than this is guessable offline from one signed delivery.
constexpr size_t kMinSecret = 16;
constexpr size_t kMaxUrl = 2048;

bool IsUrl(std::string_view s) {
  const size_t host = s.starts_with("http://") ? 7 : s.starts_with("https://") ? 8 : 0;
  return host != 0 && s.size() > host && s.size() <= kMaxUrl &&
         std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

std::string EventNames() {
  std::string out = "motion_event, camera";
  for (std::string_view t : webhook::kEventTypes) out += ", " + std::string(t);
  return out;
}

std::vector<std::string> ReadList(Context& ctx, const Field& f, std::string_view what,
                                  const std::function<std::string(const std::string&)>& problem) {
  std::vector<std::string> out;
  for (const Field& item : ListItems(ctx, f)) {
    std::optional<std::string> v = ReadScalar(ctx, item, what);
    if (!v) continue;
    if (std::string p = problem(*v); !p.empty()) {
      item.Error(ctx, p);
    } else if (std::find(out.begin(), out.end(), *v) != out.end()) {
      item.Error(ctx, "\"" + *v + "\" is listed twice");
    } else {
      out.push_back(std::move(*v));
    }
  }
  if (IsEmptyList(f)) f.Error(ctx, "an empty list lets nothing through: leave the key out for all");
  return out;
}

WebhookConfig ParseWebhook(Context& ctx, const Field& f, const std::vector<CameraConfig>& cameras) {
  WebhookConfig out;
  const MapReader map(ctx, f, kWebhookKeys);
  if (const Field* url = map.Require("url")) {
    if (std::optional<std::string> v = ReadString(ctx, *url)) {
      if (IsUrl(*v)) {
        out.url = std::move(*v);
      } else {
        url->Error(ctx, "is not an http:// or https:// URL (no spaces, at most 2048 characters)");
      }
    }
  }
  if (const Field* secret = map.Require("secret")) {
    if (std::optional<std::string> v = ReadString(ctx, *secret)) {
      if (v->size() >= kMinSecret) {
        out.secret = std::move(*v);
      } else {
        // The secret itself is never repeated in a message.
        secret->Error(ctx, "is " + std::to_string(v->size()) + " characters; give at least 16 (e.g. `openssl rand -hex 32`)");
      }
    }
  }
  if (const Field* events = map.Find("events")) {
    out.events = ReadList(ctx, *events, "an event type", [](const std::string& e) {
      return webhook::IsEventFilter(e) ? "" : "unknown event \"" + e + "\" (events: " + EventNames() + ")";
    });
  }
  if (const Field* names = map.Find("cameras")) {
    out.cameras = ReadList(ctx, *names, "a camera name", [&](const std::string& name) {
      const bool known = std::any_of(cameras.begin(), cameras.end(), [&](const CameraConfig& c) { return c.name == name; });
      return known ? "" : "no camera named \"" + name + "\" in cameras";
    });
  }
  if (const Field* timeout = map.Find("timeout")) {
    if (std::optional<int64_t> ms = ReadDurationMs(ctx, *timeout)) {
      if (CheckRange(ctx, *timeout, *ms, 1000, 60000, "between 1s and 60s", "")) out.timeout_ms = *ms;
    }
  }
  if (const Field* q = map.Find("max_queue")) {
    if (std::optional<int64_t> n = ReadInt(ctx, *q)) {
      if (CheckRange(ctx, *q, *n, 1, 100000, "between 1 and 100000", "")) out.max_queue = *n;
    }
  }
  if (const Field* base = map.Find("base_url")) {
    if (std::optional<std::string> v = ReadString(ctx, *base)) {
      if (IsBaseUrl(*v)) {
        out.base_url = std::move(*v);
      } else {
        base->Error(ctx, "\"" + *v + "\" is not a base URL: http:// or https://, host and port, without a trailing '/'");
      }
    }
  }
  return out;
}

}  // namespace

std::vector<WebhookConfig> ParseWebhooks(Context& ctx, const Field& f, const std::vector<CameraConfig>& cameras) {
  std::vector<WebhookConfig> out;
  for (const Field& item : ListItems(ctx, f)) out.push_back(ParseWebhook(ctx, item, cameras));
  return out;
}

}  // namespace sightline::config
