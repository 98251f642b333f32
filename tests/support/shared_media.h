#pragma once
// Where tests find the real footage (see ../shared/media/README.md): $SIGHTLINE_SHARED_MEDIA
// when set, else ../shared/media beside the source tree (CI has it there). Tests that need it
// skip with kNoSharedMediaMessage when it is absent, as the README allows.

#include <optional>
#include <string>
#include <string_view>

namespace sightline::testing {

inline constexpr std::string_view kPets360H264 = "pets2009_s2l1_360p10_400k.h264.mp4";
inline constexpr std::string_view kPets1080H264 = "pets2009_s2l1_1080p10_4M.h264.mp4";
inline constexpr std::string_view kPets1080H265 = "pets2009_s2l1_1080p10_1500k.h265.mp4";
inline constexpr std::string_view kCity1080H264 = "city_cc0_1080p25_4M.h264.mp4";

inline constexpr std::string_view kNoSharedMediaMessage =
    "real footage not found: set SIGHTLINE_SHARED_MEDIA or put it in ../shared/media "
    "beside the source tree (see docs: apt-get install opencv-doc and transcode vtest.avi)";

// The media folder, if it exists. Reads the environment on every call.
std::optional<std::string> SharedMediaDir();

// SharedMediaDir() + "/" + name, if that file exists.
std::optional<std::string> SharedMediaFile(std::string_view name);

}  // namespace sightline::testing
