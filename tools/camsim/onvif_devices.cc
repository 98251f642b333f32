#include "tools/camsim/onvif_devices.h"

#include <cmath>
#include <set>

namespace sightline::camsim {

OnvifStream DescribeStream(const std::string& token, const std::string& camera, const Clip& clip) {
  OnvifStream s;
  s.token = token;
  s.camera = camera;
  s.codec = clip.codec();
  s.width = clip.width();
  s.height = clip.height();
  const double seconds = clip.duration().seconds();
  const size_t frames = clip.frames().size();
  s.fps = seconds > 0 ? static_cast<double>(frames) / seconds : 0;
  s.bitrate_kbps = static_cast<int>(std::lround(clip.bitrate_bps() / 1000));
  size_t keyframes = 0;
  for (const ClipFrame& f : clip.frames()) keyframes += f.keyframe ? 1 : 0;
  s.gov_length = keyframes > 0 ? static_cast<int>(frames / keyframes) : static_cast<int>(frames);
  if (clip.codec() == media::Codec::kH264 && clip.sps().size() >= 2) {
    // profile_idc, after the NAL header (H.264 section 7.3.2.1.1, Annex A.2).
    switch (clip.sps()[1]) {
      case 66: s.h264_profile = "Baseline"; break;
      case 77: s.h264_profile = "Main"; break;
      case 88: s.h264_profile = "Extended"; break;
      default: s.h264_profile = "High"; break;
    }
  }
  return s;
}

Result<std::vector<std::unique_ptr<OnvifDevice>>> BuildOnvifDevices(
    const std::map<std::string, std::unique_ptr<Camera>, std::less<>>& cameras,
    const std::string& user, const std::string& password, MonoTime epoch) {
  std::set<std::string, std::less<>> substreams;
  for (const auto& [name, cam] : cameras) {
    const std::string& sub = cam->spec.substream;
    if (sub.empty()) continue;
    auto it = cameras.find(sub);
    if (it == cameras.end()) {
      return InvalidArgumentError("camera " + name + ": sub: no camera named " + sub);
    }
    if (!it->second->spec.substream.empty()) {
      return InvalidArgumentError("camera " + name + ": sub: " + sub +
                                  " has a substream of its own");
    }
    if (!substreams.insert(sub).second) {
      return InvalidArgumentError("camera " + name + ": sub: " + sub +
                                  " is already another camera's substream");
    }
  }
  std::vector<std::unique_ptr<OnvifDevice>> out;
  for (const auto& [name, cam] : cameras) {
    if (substreams.count(name) != 0) continue;
    auto d = std::make_unique<OnvifDevice>();
    d->name = name;
    d->uuid = DeviceUuid(name);
    d->streams.push_back(DescribeStream("main", name, *cam->clip));
    if (!cam->spec.substream.empty()) {
      const Camera& sub = *cameras.find(cam->spec.substream)->second;
      d->streams.push_back(DescribeStream("sub", sub.spec.name, *sub.clip));
    }
    d->user = cam->spec.user.empty() ? user : cam->spec.user;
    d->password = cam->spec.user.empty() ? password : cam->spec.password;
    d->clock_offset = cam->spec.clock_offset;
    d->quirks = cam->spec.quirks;
    d->events.schedule.on = std::chrono::milliseconds(std::llround(cam->spec.events_on_s * 1000));
    d->events.schedule.period = std::chrono::milliseconds(std::llround(cam->spec.events_period_s * 1000));
    d->events.schedule.epoch = epoch;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace sightline::camsim
