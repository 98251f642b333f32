#pragma once
// OnvifCameraDirectory: the cameras as the API shows them: the site's, and for each `onvif:`
// camera what its device says (streams found, clock offset, event subscription), so that the
// System page shows a camera whose clock is off or whose events fail (docs/design/onvif.md,
// invariant 12).
//
// Threads: as the site's directory: any thread.

#include <string>
#include <vector>

#include "api/api.h"
#include "app/camera_events.h"
#include "app/onvif_streams.h"
#include "config/config.h"

namespace sightline::app {

// Sets `onvif` on each camera of `cameras` that `config` gives as `onvif:`, from the streams'
// and the events' states (a camera with `events: false` has events "off"). Pure.
void AddOnvifStatus(std::vector<api::CameraStatus>& cameras, const config::Config& config,
                    const std::vector<OnvifStreams::CameraState>& streams,
                    const std::vector<CameraEvents::CameraState>& events);

class OnvifCameraDirectory : public api::CameraDirectory {
 public:
  // All must outlive this object.
  OnvifCameraDirectory(const api::CameraDirectory& site, const config::Config& config, const OnvifStreams& streams,
                       const CameraEvents& events)
      : site_(site), config_(config), streams_(streams), events_(events) {}

  std::vector<api::CameraStatus> Cameras() const override;
  live::StreamHub* Hub(std::string_view camera, std::string_view stream) const override {
    return site_.Hub(camera, stream);
  }
  api::RecorderStatus Recorder() const override { return site_.Recorder(); }

 private:
  const api::CameraDirectory& site_;
  const config::Config& config_;
  const OnvifStreams& streams_;
  const CameraEvents& events_;
};

}  // namespace sightline::app
