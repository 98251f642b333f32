#include "mqtt/payloads.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace sightline::mqtt {
namespace {

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kNew: return "new";
    case EventType::kUpdate: return "update";
    case EventType::kEnd: return "end";
  }
  return "update";
}

double Seconds(int64_t us) { return static_cast<double>(us) / 1e6; }

// Two decimals are enough for a rate shown on a dashboard, and keep the payload short.
double Round2(double v) { return std::round(v * 100) / 100; }

}  // namespace

std::string EventJson(const EventMessage& e) {
  nlohmann::json j;
  j["type"] = EventTypeName(e.type);
  j["id"] = e.id;
  j["camera"] = e.camera;
  j["zones"] = e.zones;
  j["start"] = Seconds(e.start_us);
  j["end"] = e.end_us == 0 ? nlohmann::json(nullptr) : nlohmann::json(Seconds(e.end_us));
  j["thumbnail"] = e.base_url + "/api/events/" + std::to_string(e.id) + "/thumbnail.jpg";
  return j.dump();
}

std::string StatsJson(const StatsMessage& s) {
  nlohmann::json cameras = nlohmann::json::object();
  for (const CameraStats& c : s.cameras) {
    cameras[c.name] = {{"online", c.online},
                       {"fps", Round2(c.fps)},
                       {"kbit_s", c.kbit_s},
                       {"reconnects", c.reconnects},
                       {"dropped", c.dropped},
                       {"recording", c.recording},
                       {"motion_detection", c.motion_detection}};
  }
  nlohmann::json disks = nlohmann::json::object();
  for (const DiskStats& d : s.disks) {
    disks[d.path] = {{"free_bytes", d.free_bytes}};
  }
  const nlohmann::json j = {{"uptime_s", s.uptime_s},
                            {"cameras", std::move(cameras)},
                            {"disks", std::move(disks)},
                            {"mqtt", {{"dropped", s.mqtt_dropped}}}};
  return j.dump();
}

}  // namespace sightline::mqtt
