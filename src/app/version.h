#pragma once
// The version of Sightline: what `sightline --version` prints, what the API's health reply,
// the metrics' build info and MQTT's device report show, and what scripts/package.sh names
// the Debian package after. One constant, so they cannot disagree.

#include <string_view>

namespace sightline::app {

inline constexpr std::string_view kVersion = "0.1";

}  // namespace sightline::app
