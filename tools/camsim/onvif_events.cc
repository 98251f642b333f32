#include "tools/camsim/onvif_events.h"

#include <algorithm>

namespace sightline::camsim {

bool EventSchedule::ActiveAt(MonoTime t) const {
  if (period.count() <= 0 || t < epoch) return false;
  const auto into = std::chrono::duration_cast<std::chrono::milliseconds>(t - epoch) % period;
  return into < on;
}

std::optional<MonoTime> EventSchedule::NextChange(MonoTime t) const {
  if (period.count() <= 0 || on.count() <= 0 || on >= period) return std::nullopt;
  if (t < epoch) return epoch;
  const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(t - epoch);
  const MonoTime period_start = epoch + (since / period) * period;
  const MonoTime off_at = period_start + on;
  return t < off_at ? off_at : period_start + period;
}

std::vector<MonoTime> EventSchedule::ChangesIn(MonoTime from, MonoTime to, size_t limit) const {
  std::vector<MonoTime> out;
  for (std::optional<MonoTime> t = NextChange(from); t && *t <= to && out.size() < limit; t = NextChange(*t)) {
    out.push_back(*t);
  }
  return out;
}

void EventState::Expire(MonoTime now) {
  std::erase_if(subscriptions, [&](const auto& s) { return s.second.expires <= now; });
}

}  // namespace sightline::camsim
