#pragma once
// From the parsed config (config/config.h) to the store's options: the one place that maps
// sightline.yaml's storage and record sections onto store::StoreOptions. Used by `run`,
// `check`, `export` and `protect`.

#include <vector>

#include "config/config.h"
#include "store/store.h"

namespace sightline::app {

store::StoreOptions StoreOptionsFromConfig(const config::Config& config, const Clock& clock);
// Every stream with role `record` of every enabled camera, with its effective retention.
std::vector<store::StreamSpec> RecordedStreams(const config::Config& config);

}  // namespace sightline::app
