#pragma once
// The leading part of the VUI parameters that H.264 (Annex E.1.1) and H.265 (Annex E.2.1)
// share: aspect ratio, overscan, video signal type and chroma location. Both SPS parsers read
// it, then go on with their own fields (timing information comes next in H.264; H.265 has
// field and display-window fields first).

#include <cstdint>

#include "base/status.h"
#include "media/syntax_reader.h"

namespace sightline::media {

struct VuiBasics {
  // Sample aspect ratio (Table E-1, or Extended_SAR); 0:0 when absent or unspecified.
  uint16_t sar_width = 0;
  uint16_t sar_height = 0;
  bool video_full_range = false;
  // Table E-3/E-4/E-5 code points; 2 means unspecified, the value when absent.
  uint8_t colour_primaries = 2;
  uint8_t transfer_characteristics = 2;
  uint8_t matrix_coefficients = 2;
};

// Reads aspect_ratio_info_present_flag through the chroma_loc_info fields.
Status ReadVuiBasics(SyntaxReader& r, VuiBasics* vui);

}  // namespace sightline::media
