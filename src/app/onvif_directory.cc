#include "app/onvif_directory.h"

#include <map>
#include <string_view>

namespace sightline::app {

void AddOnvifStatus(std::vector<api::CameraStatus>& cameras, const config::Config& config,
                    const std::vector<OnvifStreams::CameraState>& streams,
                    const std::vector<CameraEvents::CameraState>& events) {
  // By name: a site has up to a thousand cameras, and the System page asks every 10 s.
  std::map<std::string_view, const config::OnvifSource*> sources;
  for (const config::CameraConfig& c : config.cameras) {
    if (c.onvif) sources.emplace(c.name, &*c.onvif);
  }
  std::map<std::string_view, const OnvifStreams::CameraState*> stream_states;
  for (const OnvifStreams::CameraState& st : streams) stream_states.emplace(st.camera, &st);
  std::map<std::string_view, const CameraEvents::CameraState*> event_states;
  for (const CameraEvents::CameraState& ev : events) event_states.emplace(ev.camera, &ev);

  for (api::CameraStatus& cam : cameras) {
    const auto source = sources.find(cam.name);
    if (source == sources.end()) continue;
    api::OnvifStatus s;
    s.events = source->second->events ? "failing" : "off";
    if (const auto st = stream_states.find(cam.name); st != stream_states.end()) {
      s.resolved = st->second->resolved;
      if (st->second->clock_offset) s.clock_offset_ms = st->second->clock_offset->count();
      s.problem = st->second->last_error;
    }
    if (const auto ev = event_states.find(cam.name); ev != event_states.end()) {
      s.events = ev->second->subscribed ? "subscribed" : "failing";
      if (s.problem.empty() && !ev->second->subscribed) s.problem = ev->second->last_error;
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
