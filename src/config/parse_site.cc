// The multi-site sections: `site:` of sightline.yaml, and central.yaml
// (docs/design/multisite.md, docs/ref/config.md).

#include <algorithm>
#include <exception>

#include "config/parse_sections.h"

namespace sightline::config {
namespace {

constexpr std::string_view kSiteKeys[] = {"name", "nats_url", "credentials", "link_kbit_s"};
constexpr std::string_view kCentralKeys[] = {"nats", "postgres"};
constexpr std::string_view kNatsKeys[] = {"url", "credentials"};
// 8 kbit/s: a message of a few hundred bytes still goes every second or so; 10 Gbit/s: more
// than a site could use.
constexpr int64_t kMinLinkKbitS = 8;
constexpr int64_t kMaxLinkKbitS = 10'000'000;

// The rule of uplink::IsValidSiteName (config/ depends on base only).
bool IsSiteName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-';
         });
}

void ParseCentralDocument(Context& ctx, const YAML::Node& root, CentralConfig* config) {
  if (root.IsNull()) {
    ctx.Error(Position{}, "", "the file is empty: expected a map with nats and postgres");
    return;
  }
  const Field doc("", "", Position{}, root);
  const MapReader top(ctx, doc, kCentralKeys);
  if (const Field* nats = top.Require("nats")) {
    const MapReader map(ctx, *nats, kNatsKeys);
    if (const Field* url = map.Require("url")) config->nats.url = ReadNatsUrl(ctx, *url).value_or("");
    if (const Field* creds = map.Find("credentials")) config->nats.credentials_path = ReadExistingPath(ctx, *creds, false);
  }
  if (const Field* pg = top.Require("postgres")) {
    if (std::optional<std::string> conninfo = ReadString(ctx, *pg)) {
      if (conninfo->empty()) {
        pg->Error(ctx, "empty: give a libpq connection string, e.g. \"host=/run/postgresql dbname=sightline\"");
      }
      config->postgres = std::move(*conninfo);
    }
  }
}

}  // namespace

std::optional<std::string> ReadNatsUrl(Context& ctx, const Field& f) {
  std::optional<std::string> url = ReadString(ctx, f);
  if (!url) return std::nullopt;
  for (std::string_view scheme : {"nats://", "tls://"}) {
    if (!url->starts_with(scheme)) continue;
    const std::string_view rest = std::string_view(*url).substr(scheme.size());
    const size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos && colon > 0 && colon + 1 < rest.size() &&
        rest.find_first_of("/ ,") == std::string_view::npos) {
      return url;
    }
  }
  f.Error(ctx, "\"" + f.value.Scalar() + "\" is not a NATS server URL (nats://HOST:PORT or tls://HOST:PORT)");
  return std::nullopt;
}

std::optional<SiteConfig> ParseSite(Context& ctx, const Field& f) {
  const MapReader map(ctx, f, kSiteKeys);
  if (!map.is_map()) return std::nullopt;
  SiteConfig site;
  bool ok = true;
  if (const Field* name = map.Require("name")) {
    std::optional<std::string> text = ReadScalar(ctx, *name, "a site name");
    if (text && !IsSiteName(*text)) {
      name->Error(ctx, "\"" + *text + "\" is not a site name: 1 to 64 of A-Z a-z 0-9 _ - (it is a NATS "
                       "subject token and names the site at the centre)");
      text.reset();
    }
    ok = ok && text.has_value();
    site.name = text.value_or("");
  } else {
    ok = false;
  }
  if (const Field* url = map.Require("nats_url")) {
    std::optional<std::string> text = ReadNatsUrl(ctx, *url);
    ok = ok && text.has_value();
    site.nats.url = text.value_or("");
  } else {
    ok = false;
  }
  if (const Field* creds = map.Find("credentials")) {
    site.nats.credentials_path = ReadExistingPath(ctx, *creds, false);
    ok = ok && !site.nats.credentials_path.empty();
  }
  if (const Field* link = map.Find("link_kbit_s")) {
    std::optional<int64_t> kbit = ReadInt(ctx, *link);
    ok = ok && kbit && CheckRange(ctx, *link, *kbit, kMinLinkKbitS, kMaxLinkKbitS, "between 8 and 10000000",
                                  "kbit/s the uplink may use");
    if (kbit) site.link_kbit_s = *kbit;
  }
  if (!ok) return std::nullopt;
  return site;
}

Result<CentralConfig> ParseCentralConfig(std::string_view yaml_text, std::string_view file_name,
                                         const EnvLookup& env) {
  Diagnostics diag(file_name);
  const std::optional<YAML::Node> document = LoadDocument(std::string(yaml_text), diag);
  if (!document) return diag.ToStatus();
  CentralConfig config;
  Context ctx(diag, env);
  try {
    ParseCentralDocument(ctx, *document, &config);
  } catch (const std::exception& e) {
    // As in ParseConfig: yaml-cpp throws only on misuse; keep even a bug from escaping.
    diag.Add(Position{}, std::string("internal error while checking the config: ") + e.what());
  }
  RETURN_IF_ERROR(diag.ToStatus());
  return config;
}

}  // namespace sightline::config
