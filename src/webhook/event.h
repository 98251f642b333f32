#pragma once
// Event: one thing that happened, as a webhook delivers it (docs/ref/webhooks.md "Events"),
// and the filter that says which endpoint wants it.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sightline::webhook {

// Every type, "<family>.<what>". A filter entry names a type or a whole family.
inline constexpr std::array<std::string_view, 5> kEventTypes = {
    "motion_event.new", "motion_event.update", "motion_event.end", "camera.offline", "camera.online"};

struct Event {
  std::string type;    // one of kEventTypes
  std::string camera;
  int64_t time_us = 0;    // when it happened (Unix microseconds)
  std::string data_json;  // the type's own fields, a JSON object (payload.h builds them)
};

// True for a type in kEventTypes or a family of them ("motion_event", "camera").
bool IsEventFilter(std::string_view entry);

struct Filter {
  std::vector<std::string> events;   // types or families; empty: every event
  std::vector<std::string> cameras;  // empty: every camera
  bool Matches(const Event& e) const;
};

}  // namespace sightline::webhook
