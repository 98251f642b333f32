#include "webhook/event.h"

#include <algorithm>

namespace sightline::webhook {
namespace {

// "motion_event" for "motion_event.new".
std::string_view FamilyOf(std::string_view type) { return type.substr(0, type.find('.')); }

}  // namespace

bool IsEventFilter(std::string_view entry) {
  return std::any_of(kEventTypes.begin(), kEventTypes.end(),
                     [&](std::string_view t) { return t == entry || FamilyOf(t) == entry; });
}

bool Filter::Matches(const Event& e) const {
  const bool type_ok = events.empty() || std::any_of(events.begin(), events.end(), [&](const std::string& f) {
                         return f == e.type || f == FamilyOf(e.type);
                       });
  const bool camera_ok = cameras.empty() || std::find(cameras.begin(), cameras.end(), e.camera) != cameras.end();
  return type_ok && camera_ok;
}

}  // namespace sightline::webhook
