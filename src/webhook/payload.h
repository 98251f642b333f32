#pragma once
// The JSON a webhook receives (docs/ref/webhooks.md "Body"): an envelope with the delivery's
// id, the event's type, time and camera, and the type's own `data`. Pure builders.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/event.h"

namespace sightline::webhook {

// {"id": delivery_id, "type", "time" (Unix seconds), "camera", "data": {...}}.
std::string DeliveryBody(const Event& e, std::string_view delivery_id);

// A motion event's data: its id, start and end (null while open) in Unix seconds, the zones
// entered so far, and its thumbnail's URL (`base_url` + path; a path when base_url is empty).
std::string MotionEventData(int64_t id, int64_t start_us, int64_t end_us, const std::vector<std::string>& zones,
                            std::string_view base_url);

// A camera's status change: since when (Unix seconds) it was seen online last, 0 if never.
std::string CameraStatusData(int64_t last_online_us);

// 32 random hex digits: the delivery id, the same for every attempt of one delivery, so that
// a receiver can drop a retry it already processed.
std::string NewDeliveryId();

}  // namespace sightline::webhook
