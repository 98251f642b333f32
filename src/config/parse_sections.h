#pragma once
// Internal to config/: the sections of sightline.yaml parsed in their own files, for
// parse_config.cc, which walks the document. Same contract as there: problems go to the
// Context and parsing goes on.

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace sightline::config {

// A `motion:` map (top level or camera): each key set here overrides the level above.
struct MotionOverride {
  bool present = false;  // the map was given with at least one key
  std::optional<bool> enabled;
  Position enabled_pos;
  std::string enabled_path;
  std::optional<int> threshold;
  std::optional<double> min_area;
  std::optional<double> max_fps;
  std::optional<bool> keyframes_only;
  std::optional<std::vector<Polygon>> mask;
  std::optional<std::vector<MotionZone>> zones;
  std::optional<int64_t> pre_capture_ms, post_capture_ms, min_duration_ms, merge_gap_ms;

  MotionConfig ApplyTo(MotionConfig m) const;
};

// `owner` names the level in polygon messages: "camera front_door", "the top-level motion
// section".
MotionOverride ParseMotion(Context& ctx, const Field& f, std::string_view owner);

// A camera's effective motion settings: defaults, then `top`, then `camera` (from the field
// `camera_field`, null when the camera has no motion map). Reports motion settings on a
// camera without a stream with role detect.
MotionConfig ResolveMotion(Context& ctx, const MotionOverride& top, const MotionOverride& camera,
                           const Field* camera_field, const CameraConfig& camera_config);

// `transport:` of a stream or an onvif camera: tcp (the default, also after a reported problem)
// or udp.
Transport ReadTransport(Context& ctx, const Field& f);

// A camera's `onvif:` map (parse_onvif.cc): the device, and the two streams it stands for
// ("main" recorded, "sub" detected and watched live), with `retention` and `transport`.
std::optional<OnvifSource> ParseOnvif(Context& ctx, const Field& f, const Retention& retention,
                                      std::vector<StreamConfig>* streams);

// The `metrics:` map (parse_metrics.cc).
void ParseMetrics(Context& ctx, const Field& f, MetricsConfig* out);
// `site:` (parse_site.cc); nullopt after reporting a problem.
std::optional<SiteConfig> ParseSite(Context& ctx, const Field& f);
// A NATS server URL (nats:// or tls://, host and port); nullopt after reporting.
std::optional<std::string> ReadNatsUrl(Context& ctx, const Field& f);
// The `mqtt:` map (parse_mqtt.cc).
MqttConfig ParseMqtt(Context& ctx, const Field& f);
// Whether `s` is a base URL of links: http:// or https://, host and port, no trailing '/'.
bool IsBaseUrl(std::string_view s);
// The `webhooks:` list (parse_webhooks.cc), after the cameras, whose names it checks.
std::vector<WebhookConfig> ParseWebhooks(Context& ctx, const Field& f, const std::vector<CameraConfig>& cameras);

}  // namespace sightline::config
