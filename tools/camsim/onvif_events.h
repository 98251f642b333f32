#pragma once
// A camsim camera's events (ONVIF Core 9.1, pull point): its motion follows a schedule
// (`events=ON/PERIOD`: motion for ON seconds at the start of every PERIOD), and each pull-point
// subscription remembers up to when it has been told. The Events service
// (onvif_events_service.cc) answers from this state. Pure: time is passed in.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "base/clock.h"

namespace sightline::camsim {

// Subscriptions one camera keeps at most (real cameras allow from 2 to a few tens).
inline constexpr size_t kMaxEventSubscriptions = 64;

struct EventSchedule {
  std::chrono::milliseconds on{0};
  std::chrono::milliseconds period{0};  // 0: no motion ever
  MonoTime epoch{};                     // when the first period starts (the server's start)

  bool ActiveAt(MonoTime t) const;
  // The moments in (from, to] where the state changes, in order; at most `limit`.
  std::vector<MonoTime> ChangesIn(MonoTime from, MonoTime to, size_t limit) const;
  // The first change after `t`, if the schedule has any.
  std::optional<MonoTime> NextChange(MonoTime t) const;
};

struct EventSubscription {
  MonoTime expires{};
  MonoTime told_until{};          // changes up to here have been pulled
  bool initialized_sent = false;  // the state at subscription time has been pulled
};

struct EventState {
  EventSchedule schedule;
  std::map<uint64_t, EventSubscription> subscriptions;  // by id
  uint64_t next_id = 1;
  uint64_t pulls = 0;

  // Forgets subscriptions whose termination time passed.
  void Expire(MonoTime now);
};

}  // namespace sightline::camsim
