#pragma once
// H.264 sequence parameter set parsing (ITU-T H.264 clause 7.3.2.1.1, VUI in E.1.1) and the
// RFC 6381 codec string. Pure functions over caller-owned bytes; safe from any thread.

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "media/vui.h"

namespace sightline::media {

struct H264Sps {
  uint8_t profile_idc = 0;
  // The whole byte after profile_idc: constraint_set0_flag is its most significant bit, then
  // constraint_set1..5_flag and reserved_zero_2bits.
  uint8_t constraint_flags = 0;
  uint8_t level_idc = 0;
  uint32_t sps_id = 0;

  uint32_t chroma_format_idc = 1;  // inferred 4:2:0 for profiles without the field
  bool separate_colour_plane = false;
  uint32_t bit_depth_luma = 8;
  uint32_t bit_depth_chroma = 8;
  uint32_t log2_max_frame_num = 4;
  uint32_t pic_order_cnt_type = 0;
  uint32_t log2_max_pic_order_cnt_lsb = 0;  // only for pic_order_cnt_type 0
  bool delta_pic_order_always_zero = false;  // only for pic_order_cnt_type 1
  uint32_t max_num_ref_frames = 0;
  bool frame_mbs_only = true;               // false: interlaced (field or MBAFF) coding
  bool mb_adaptive_frame_field = false;

  int coded_width = 0;   // in luma samples, whole macroblocks, before cropping
  int coded_height = 0;  // frame height: twice the map units when !frame_mbs_only
  int width = 0;         // after the frame cropping rectangle
  int height = 0;

  bool vui_present = false;
  VuiBasics vui;
  uint32_t num_units_in_tick = 0;  // 0 when the VUI has no timing information
  uint32_t time_scale = 0;
  bool fixed_frame_rate = false;
  // time_scale / (2 * num_units_in_tick) (E.2.1: a frame lasts two ticks); unset without
  // timing information or when the result is not a plausible camera rate (0, 1000].
  std::optional<double> fps;
};

// Parses an SPS NAL unit including its 1-byte header (and emulation prevention bytes).
// Handles the high profiles' chroma_format_idc, bit depths and scaling lists, frame cropping,
// interlaced coding and VUI timing. A VUI that ends early leaves the timing fields unset
// rather than failing the parse: width and height are what callers cannot do without.
// Errors name the syntax element and its bit offset.
Result<H264Sps> ParseH264Sps(ByteSpan nal);

// RFC 6381 section 3.3: "avc1." then profile_idc, the constraint byte and level_idc as
// lower-case hex, e.g. "avc1.640028".
std::string H264CodecString(const H264Sps& sps);

}  // namespace sightline::media
