#pragma once
// From the parsed config (config/config.h) to a camera's motion analysis settings: the one
// place that maps sightline.yaml onto analysis::AnalyzerOptions, for `run` and `analyze` alike,
// so that offline analysis uses exactly the live settings.

#include "analysis/stream_analyzer.h"
#include "config/config.h"

namespace sightline::app {

// The analysis settings of `camera` (detector, events, frame-rate cap, keyframes-only) from its
// effective `motion:` section, named after its detect stream. Keys the config leaves unset keep
// the defaults of motion::DetectorOptions and AnalyzerOptions.
analysis::AnalyzerOptions AnalyzerOptionsFrom(const config::CameraConfig& camera);

}  // namespace sightline::app
