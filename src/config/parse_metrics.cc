// The `metrics:` section: GET /metrics for Prometheus (docs/ref/config.md, docs/ref/metrics.md).
// The scrape shows camera names, disks and traffic, so it is off by default and, when on,
// never open to anyone who can reach the server: a token or an allow-list is required.

#include <string>

#include "config/parse_sections.h"

namespace sightline::config {
namespace {

constexpr std::string_view kMetricsKeys[] = {"enabled", "token", "allow"};

// RFC 6750 section 2.1, b64token: what a bearer token may hold, so that Prometheus'
// `authorization: {credentials: ...}` sends it unchanged.
bool IsBearerToken(std::string_view token) {
  size_t i = 0;
  for (; i < token.size() && token[i] != '='; ++i) {
    const char c = token[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) return false;
  }
  for (; i < token.size(); ++i) {
    if (token[i] != '=') return false;
  }
  return true;
}

void ParseToken(Context& ctx, const Field& f, MetricsConfig* out) {
  std::optional<std::string> token = ReadString(ctx, f);
  if (!token) return;
  // The token itself never appears in a message: it may come from the environment.
  if (token->size() < kMinMetricsTokenLength) {
    f.Error(ctx, "the token is " + std::to_string(token->size()) + " characters; it must be at least " +
                     std::to_string(kMinMetricsTokenLength) +
                     " (for example the output of `openssl rand -hex 32`)");
  } else if (!IsBearerToken(*token)) {
    f.Error(ctx,
            "the token may only hold letters, digits and - . _ ~ + / (then = at the end): "
            "a bearer token (RFC 6750)");
  } else {
    out->token = std::move(*token);
  }
}

void ParseAllow(Context& ctx, const Field& f, MetricsConfig* out) {
  for (const Field& item : ListItems(ctx, f)) {
    std::optional<std::string> text = ReadScalar(ctx, item, "an address or network");
    if (!text) continue;
    Result<Cidr> cidr = Cidr::Parse(*text);
    if (!cidr.ok()) {
      item.Error(ctx, cidr.status().message());
      continue;
    }
    out->allow.push_back(*cidr);
  }
}

}  // namespace

void ParseMetrics(Context& ctx, const Field& f, MetricsConfig* out) {
  const MapReader map(ctx, f, kMetricsKeys);
  const Field* enabled = map.Find("enabled");
  if (enabled != nullptr) out->enabled = ReadBool(ctx, *enabled).value_or(false);
  const Field* token = map.Find("token");
  if (token != nullptr) ParseToken(ctx, *token, out);
  const Field* allow = map.Find("allow");
  if (allow != nullptr) ParseAllow(ctx, *allow, out);
  if (out->enabled && token == nullptr && (allow == nullptr || IsEmptyList(*allow))) {
    enabled->Error(ctx,
                   "metrics are enabled without a token or an allow list: GET /metrics would be open to "
                   "anyone who can reach http.listen (set metrics.token, metrics.allow, or both)");
  }
}

}  // namespace sightline::config
