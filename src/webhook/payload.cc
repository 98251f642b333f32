#include "webhook/payload.h"

#include <openssl/rand.h>

#include <atomic>

#include <nlohmann/json.hpp>

#include "base/hex.h"

namespace sightline::webhook {
namespace {

double Seconds(int64_t us) { return static_cast<double>(us) / 1e6; }

}  // namespace

std::string DeliveryBody(const Event& e, std::string_view delivery_id) {
  nlohmann::json j;
  j["id"] = delivery_id;
  j["type"] = e.type;
  j["time"] = Seconds(e.time_us);
  j["camera"] = e.camera;
  // Built by the functions below, so valid; anything else is sent as an empty object.
  j["data"] = nlohmann::json::parse(e.data_json, nullptr, /*allow_exceptions=*/false);
  if (j["data"].is_discarded()) j["data"] = nlohmann::json::object();
  // Replacement characters for invalid UTF-8 (a camera name cannot have any; belt and braces).
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string MotionEventData(int64_t id, int64_t start_us, int64_t end_us, const std::vector<std::string>& zones,
                            std::string_view base_url) {
  nlohmann::json j;
  j["id"] = id;
  j["start"] = Seconds(start_us);
  j["end"] = end_us == 0 ? nlohmann::json(nullptr) : nlohmann::json(Seconds(end_us));
  j["zones"] = zones;
  j["thumbnail"] = std::string(base_url) + "/api/events/" + std::to_string(id) + "/thumbnail.jpg";
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CameraStatusData(int64_t last_online_us) {
  nlohmann::json j;
  j["last_online"] = last_online_us == 0 ? nlohmann::json(nullptr) : nlohmann::json(Seconds(last_online_us));
  return j.dump();
}

std::string NewDeliveryId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // No entropy (never seen on Linux): unique within the process is what a receiver needs.
    static std::atomic<uint64_t> counter{0};
    const uint64_t n = ++counter;
    for (size_t i = 0; i < sizeof(bytes); ++i) bytes[i] = static_cast<unsigned char>(n >> (8 * (i % 8)));
  }
  return HexLower(bytes);
}

}  // namespace sightline::webhook
