#pragma once
// The JSON payloads of <prefix>/events and <prefix>/stats (docs/ref/mqtt.md). Pure builders:
// plain structs in, compact JSON text out. Nothing here names or describes a person: events
// say where and when motion was, never who (docs/design/mqtt.md, invariant 6).

#include <cstdint>
#include <string>
#include <vector>

namespace sightline::mqtt {

// The three moments of a motion event, as Frigate names them.
enum class EventType { kNew, kUpdate, kEnd };

struct EventMessage {
  EventType type = EventType::kNew;
  int64_t id = 0;  // the index's motion event id (GET /api/events/{id})
  std::string camera{};
  std::vector<std::string> zones{};
  int64_t start_us = 0;
  int64_t end_us = 0;  // 0 while the event is open: "end": null
  // Where the thumbnail is served: base_url + "/api/events/<id>/thumbnail.jpg"; the path alone
  // when base_url is empty (the API needs a login either way).
  std::string base_url{};
};

// {"type":"new","id":7,"camera":"front","zones":["porch"],"start":1700000000.5,"end":null,
//  "thumbnail":"https://nvr.lan/api/events/7/thumbnail.jpg"}; times are Unix seconds.
std::string EventJson(const EventMessage& event);

struct CameraStats {
  std::string name{};
  bool online = false;
  double fps = 0;            // frames per second of the camera's streams, summed
  int64_t kbit_s = 0;        // their bitrate, summed
  uint64_t reconnects = 0;   // since start
  uint64_t dropped = 0;      // frames dropped by the receiver and GOPs the recorder dropped
  bool recording = true;     // the switches' state
  bool motion_detection = true;
};

struct DiskStats {
  std::string path{};
  uint64_t free_bytes = 0;  // available to Sightline's user
};

struct StatsMessage {
  int64_t uptime_s = 0;
  std::vector<CameraStats> cameras;
  std::vector<DiskStats> disks;
  uint64_t mqtt_dropped = 0;  // messages the client's queue dropped since start
};

// {"uptime_s":..,"cameras":{"front":{"online":true,"fps":10,"kbit_s":4000,...}},
//  "disks":{"/var/lib/sightline":{"free_bytes":..}},"mqtt":{"dropped":0}}
// Cameras are keyed by name so that a Home Assistant template reads value_json.cameras['front'].
std::string StatsJson(const StatsMessage& stats);

}  // namespace sightline::mqtt
