#pragma once
// H.265 parameter set parsing: profile_tier_level (ITU-T H.265 clause 7.3.3), the VPS
// (7.3.2.1) and the SPS (7.3.2.2.1, VUI in E.2.1), as far as Sightline needs them; and the
// ISO/IEC 14496-15 Annex E codec string. Pure functions over caller-owned bytes; safe from any
// thread.

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "media/vui.h"

namespace sightline::media {

// The general (whole-stream) profile, tier and level; sub-layer values are skipped.
struct H265ProfileTierLevel {
  uint8_t profile_space = 0;
  uint8_t tier_flag = 0;
  uint8_t profile_idc = 0;
  // general_profile_compatibility_flag[j] is bit 31 - j (the order the bits are coded in).
  uint32_t compatibility_flags = 0;
  // The 48 bits from general_progressive_source_flag to general_inbld_flag (or its reserved
  // bit), in coded order in the low 48 bits.
  uint64_t constraint_flags = 0;
  uint8_t level_idc = 0;  // 30 times the level number, e.g. 120 for level 4
};

struct H265Sps {
  uint32_t vps_id = 0;
  uint32_t max_sub_layers = 1;
  H265ProfileTierLevel ptl;
  uint32_t sps_id = 0;
  uint32_t chroma_format_idc = 1;
  bool separate_colour_plane = false;
  int coded_width = 0;   // pic_width_in_luma_samples
  int coded_height = 0;  // pic_height_in_luma_samples
  int width = 0;         // after the conformance window
  int height = 0;
  uint32_t bit_depth_luma = 8;
  uint32_t bit_depth_chroma = 8;
  uint32_t log2_max_pic_order_cnt_lsb = 4;

  // Everything below comes from the VUI, parsed only as far as its timing information.
  bool vui_present = false;
  VuiBasics vui;
  bool field_seq = false;  // each picture is a field (E.2.1)
  uint32_t num_units_in_tick = 0;  // 0 without timing information
  uint32_t time_scale = 0;
  // Pictures per second, time_scale / num_units_in_tick (E.3.1: one picture per tick; with
  // field_seq they are fields). Unset without timing or outside a plausible (0, 1000].
  std::optional<double> fps;
};

struct H265Vps {
  uint32_t vps_id = 0;
  uint32_t max_sub_layers = 1;
  H265ProfileTierLevel ptl;
  std::optional<double> fps;  // vps_time_scale / vps_num_units_in_tick, when present
};

// Parse NAL units including their 2-byte header (and emulation prevention bytes). Sub-layer
// profile/level entries, scaling lists, PCM and short/long-term reference picture sets are
// walked to reach the VUI. A VUI that cannot be parsed leaves fps unset instead of failing:
// the picture size is known by then. Likewise a VPS whose timing part is damaged still yields
// its id and profile. Errors name the syntax element and its bit offset.
Result<H265Sps> ParseH265Sps(ByteSpan nal);
Result<H265Vps> ParseH265Vps(ByteSpan nal);

// ISO/IEC 14496-15 E.3: "hvc1.", then the profile space ("", "A", "B", "C") and profile_idc;
// the compatibility flags bit-reversed, in hex; "L" or "H" (tier) and level_idc; then each
// constraint byte in hex, trailing zero bytes left out. Fields are separated by '.', hex is
// upper-case as in the standard's examples: "hvc1.1.6.L120.90", "hvc1.2.4.L153.B0".
std::string H265CodecString(const H265ProfileTierLevel& ptl);

}  // namespace sightline::media
