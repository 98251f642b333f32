#include "mqtt/topics.h"

namespace sightline::mqtt {

std::string_view SwitchName(Switch s) { return s == Switch::kRecording ? "recording" : "motion"; }

std::string Topics::Join(std::string_view camera, std::string_view leaf) const {
  std::string t = prefix_;
  t.append("/").append(camera).append("/").append(leaf);
  return t;
}

std::string Topics::Available() const { return prefix_ + "/available"; }
std::string Topics::Events() const { return prefix_ + "/events"; }
std::string Topics::Stats() const { return prefix_ + "/stats"; }
std::string Topics::Status(std::string_view camera) const { return Join(camera, "status"); }
std::string Topics::Motion(std::string_view camera) const { return Join(camera, "motion"); }
std::string Topics::Snapshot(std::string_view camera) const { return Join(camera, "snapshot"); }

std::string Topics::SwitchState(std::string_view camera, Switch s) const {
  return Join(camera, std::string(SwitchName(s)) + "/state");
}

std::string Topics::SwitchCommand(std::string_view camera, Switch s) const {
  return Join(camera, std::string(SwitchName(s)) + "/set");
}

std::string Topics::SwitchCommandFilter(Switch s) const { return SwitchCommand("+", s); }

}  // namespace sightline::mqtt
