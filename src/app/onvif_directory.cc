#include "app/onvif_directory.h"

#include <algorithm>

namespace sightline::app {

void AddOnvifStatus(std::vector<api::CameraStatus>& cameras, const config::Config& config,
                    const std::vector<OnvifStreams::CameraState>& streams,
                    const std::vector<CameraEvents::CameraState>& events) {
  for (api::CameraStatus& cam : cameras) {
    const auto configured = std::find_if(config.cameras.begin(), config.cameras.end(),
                                         [&](const config::CameraConfig& c) { return c.name == cam.name; });
    if (configured == config.cameras.end() || !configured->onvif) continue;
    api::OnvifStatus s;
    s.events = configured->onvif->events ? "failing" : "off";
    for (const OnvifStreams::CameraState& st : streams) {
      if (st.camera != cam.name) continue;
      s.resolved = st.resolved;
      if (st.clock_offset) s.clock_offset_ms = st.clock_offset->count();
      s.problem = st.last_error;
    }
    for (const CameraEvents::CameraState& ev : events) {
      if (ev.camera != cam.name) continue;
      s.events = ev.subscribed ? "subscribed" : "failing";
      if (s.problem.empty() && !ev.subscribed) s.problem = ev.last_error;
    }
    cam.onvif = std::move(s);
  }
}

std::vector<api::CameraStatus> OnvifCameraDirectory::Cameras() const {
  std::vector<api::CameraStatus> out = site_.Cameras();
  AddOnvifStatus(out, config_, streams_.States(), events_.States());
  return out;
}

}  // namespace sightline::app
