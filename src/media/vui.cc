#include "media/vui.h"

#include <array>
#include <utility>

namespace sightline::media {
namespace {

// Table E-1, indexed by aspect_ratio_idc 1..16.
constexpr std::array<std::pair<uint16_t, uint16_t>, 17> kSampleAspectRatios = {{
    {0, 0}, {1, 1}, {12, 11}, {10, 11}, {16, 11}, {40, 33}, {24, 11}, {20, 11}, {32, 11},
    {80, 33}, {18, 11}, {15, 11}, {64, 33}, {160, 99}, {4, 3}, {3, 2}, {2, 1},
}};
constexpr uint32_t kExtendedSar = 255;

}  // namespace

Status ReadVuiBasics(SyntaxReader& r, VuiBasics* vui) {
  bool present = false;
  RETURN_IF_ERROR(r.Flag("aspect_ratio_info_present_flag", &present));
  if (present) {
    uint32_t idc = 0;
    RETURN_IF_ERROR(r.U(8, "aspect_ratio_idc", &idc));
    if (idc == kExtendedSar) {
      uint32_t w = 0, h = 0;
      RETURN_IF_ERROR(r.U(16, "sar_width", &w));
      RETURN_IF_ERROR(r.U(16, "sar_height", &h));
      vui->sar_width = static_cast<uint16_t>(w);
      vui->sar_height = static_cast<uint16_t>(h);
    } else if (idc < kSampleAspectRatios.size()) {
      vui->sar_width = kSampleAspectRatios[idc].first;
      vui->sar_height = kSampleAspectRatios[idc].second;
    }
  }
  RETURN_IF_ERROR(r.Flag("overscan_info_present_flag", &present));
  if (present) RETURN_IF_ERROR(r.Skip(1, "overscan_appropriate_flag"));
  RETURN_IF_ERROR(r.Flag("video_signal_type_present_flag", &present));
  if (present) {
    RETURN_IF_ERROR(r.Skip(3, "video_format"));
    RETURN_IF_ERROR(r.Flag("video_full_range_flag", &vui->video_full_range));
    bool colour = false;
    RETURN_IF_ERROR(r.Flag("colour_description_present_flag", &colour));
    if (colour) {
      uint32_t v = 0;
      RETURN_IF_ERROR(r.U(8, "colour_primaries", &v));
      vui->colour_primaries = static_cast<uint8_t>(v);
      RETURN_IF_ERROR(r.U(8, "transfer_characteristics", &v));
      vui->transfer_characteristics = static_cast<uint8_t>(v);
      RETURN_IF_ERROR(r.U(8, "matrix_coefficients", &v));
      vui->matrix_coefficients = static_cast<uint8_t>(v);
    }
  }
  RETURN_IF_ERROR(r.Flag("chroma_loc_info_present_flag", &present));
  if (present) {
    uint32_t unused = 0;
    // Their semantics (E.1.2 / E.2.2) allow 0..5.
    RETURN_IF_ERROR(r.Ue("chroma_sample_loc_type_top_field", 5, &unused));
    RETURN_IF_ERROR(r.Ue("chroma_sample_loc_type_bottom_field", 5, &unused));
  }
  return Status::Ok();
}

}  // namespace sightline::media
