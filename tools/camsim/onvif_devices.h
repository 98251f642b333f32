#pragma once
// How camsim's cameras become ONVIF devices: every camera that is not another's substream
// (sub=NAME) is a device, with a "main" profile for its own stream and a "sub" profile for its
// substream's, each described from the clip it plays (resolution, codec, frame rate, bit rate,
// GOP length, H.264 profile). Pure.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "tools/camsim/camera.h"
#include "tools/camsim/onvif_services.h"

namespace sightline::camsim {

// `user`/`password`: the server's credentials for cameras without their own; `epoch`: when the
// cameras' event schedules start. Fails if a sub= names an unknown camera, a camera with a
// substream of its own, or one taken by another.
Result<std::vector<std::unique_ptr<OnvifDevice>>> BuildOnvifDevices(
    const std::map<std::string, std::unique_ptr<Camera>, std::less<>>& cameras,
    const std::string& user, const std::string& password, MonoTime epoch);

// A profile for a stream playing `clip`.
OnvifStream DescribeStream(const std::string& token, const std::string& camera, const Clip& clip);

}  // namespace sightline::camsim
