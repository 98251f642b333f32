#include "app/store_options.h"

namespace sightline::app {

store::StoreOptions StoreOptionsFromConfig(const config::Config& config, const Clock& clock) {
  store::StoreOptions o;
  for (const config::StorageDir& d : config.storage.dirs) {
    o.dirs.push_back({d.path, static_cast<uint64_t>(d.min_free_bytes)});
  }
  o.index_path = config.storage.index_path;
  o.flush_interval = std::chrono::milliseconds(config.storage.flush_interval_ms);
  o.segment_duration = std::chrono::seconds(config.storage.segment_duration_s);
  o.max_pending_bytes_per_stream = static_cast<uint64_t>(config.storage.max_pending_bytes_per_stream);
  o.clock = &clock;
  return o;
}

std::vector<store::StreamSpec> RecordedStreams(const config::Config& config) {
  std::vector<store::StreamSpec> out;
  for (const config::CameraConfig& cam : config.cameras) {
    if (!cam.enabled) continue;
    for (const config::StreamConfig& s : cam.streams) {
      if (!s.HasRole(config::Role::kRecord)) continue;
      out.push_back({cam.name, s.name,
                     {s.retention.max_age_s, s.retention.max_bytes, s.retention.continuous_days,
                      s.retention.motion_days}});
    }
  }
  return out;
}

}  // namespace sightline::app
