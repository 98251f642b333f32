#include "media/h264.h"

#include <cstdio>

#include "media/chroma_format.h"
#include "media/nal.h"
#include "media/syntax_reader.h"

namespace sightline::media {
namespace {

// 7.4.2.1.1: profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices.
bool HasChromaInfo(uint8_t profile_idc) {
  switch (profile_idc) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128:
    case 138: case 139: case 134: case 135:
      return true;
    default:
      return false;
  }
}

// 7.3.2.1.1.1 scaling_list(): only the syntax is needed, the values are not kept.
Status SkipScalingList(SyntaxReader& r, int size) {
  int last_scale = 8;
  int next_scale = 8;
  for (int j = 0; j < size; ++j) {
    if (next_scale != 0) {
      int32_t delta = 0;
      RETURN_IF_ERROR(r.Se("delta_scale", -128, 127, &delta));
      next_scale = (last_scale + delta + 256) % 256;
    }
    if (next_scale != 0) last_scale = next_scale;
  }
  return Status::Ok();
}

// The part of E.1.1 up to the timing information; the rest (NAL/VCL HRD, bitstream
// restrictions) says nothing Sightline uses.
Status ParseVui(SyntaxReader& r, H264Sps& sps) {
  RETURN_IF_ERROR(ReadVuiBasics(r, &sps.vui));
  bool timing = false;
  RETURN_IF_ERROR(r.Flag("timing_info_present_flag", &timing));
  if (!timing) return Status::Ok();
  uint32_t num_units_in_tick = 0, time_scale = 0;
  RETURN_IF_ERROR(r.U(32, "num_units_in_tick", &num_units_in_tick));
  RETURN_IF_ERROR(r.U(32, "time_scale", &time_scale));
  RETURN_IF_ERROR(r.Flag("fixed_frame_rate_flag", &sps.fixed_frame_rate));
  sps.num_units_in_tick = num_units_in_tick;
  sps.time_scale = time_scale;
  if (num_units_in_tick > 0 && time_scale > 0) {
    const double fps = static_cast<double>(time_scale) / (2.0 * num_units_in_tick);
    // Encoders that fill the timing fields carelessly (time_scale 90000 with one tick, say)
    // would claim tens of thousands of frames per second; such a value is worse than none.
    if (fps <= 1000.0) sps.fps = fps;
  }
  return Status::Ok();
}

}  // namespace

Result<H264Sps> ParseH264Sps(ByteSpan nal) {
  if (nal.empty()) return InvalidArgumentError("H.264 SPS: empty NAL unit");
  if (H264NalType(nal[0]) != kH264NalSps) {
    return InvalidArgumentError("H.264 SPS: NAL unit type " + std::to_string(H264NalType(nal[0])) +
                                " is not an SPS (7)");
  }
  const Bytes rbsp = EbspToRbsp(nal.subspan(1));
  SyntaxReader r("H.264 SPS", rbsp);
  H264Sps sps;
  uint32_t v = 0;
  RETURN_IF_ERROR(r.U(8, "profile_idc", &v));
  sps.profile_idc = static_cast<uint8_t>(v);
  RETURN_IF_ERROR(r.U(8, "constraint_set_flags", &v));
  sps.constraint_flags = static_cast<uint8_t>(v);
  RETURN_IF_ERROR(r.U(8, "level_idc", &v));
  sps.level_idc = static_cast<uint8_t>(v);
  RETURN_IF_ERROR(r.Ue("seq_parameter_set_id", 31, &sps.sps_id));

  if (HasChromaInfo(sps.profile_idc)) {
    RETURN_IF_ERROR(r.Ue("chroma_format_idc", 3, &sps.chroma_format_idc));
    if (sps.chroma_format_idc == 3) {
      RETURN_IF_ERROR(r.Flag("separate_colour_plane_flag", &sps.separate_colour_plane));
    }
    RETURN_IF_ERROR(r.Ue("bit_depth_luma_minus8", 6, &v));
    sps.bit_depth_luma = v + 8;
    RETURN_IF_ERROR(r.Ue("bit_depth_chroma_minus8", 6, &v));
    sps.bit_depth_chroma = v + 8;
    RETURN_IF_ERROR(r.Skip(1, "qpprime_y_zero_transform_bypass_flag"));
    bool matrix = false;
    RETURN_IF_ERROR(r.Flag("seq_scaling_matrix_present_flag", &matrix));
    if (matrix) {
      const int lists = sps.chroma_format_idc != 3 ? 8 : 12;
      for (int i = 0; i < lists; ++i) {
        bool present = false;
        RETURN_IF_ERROR(r.Flag("seq_scaling_list_present_flag", &present));
        if (present) RETURN_IF_ERROR(SkipScalingList(r, i < 6 ? 16 : 64));
      }
    }
  }

  RETURN_IF_ERROR(r.Ue("log2_max_frame_num_minus4", 12, &v));
  sps.log2_max_frame_num = v + 4;
  RETURN_IF_ERROR(r.Ue("pic_order_cnt_type", 2, &sps.pic_order_cnt_type));
  if (sps.pic_order_cnt_type == 0) {
    RETURN_IF_ERROR(r.Ue("log2_max_pic_order_cnt_lsb_minus4", 12, &v));
    sps.log2_max_pic_order_cnt_lsb = v + 4;
  } else if (sps.pic_order_cnt_type == 1) {
    constexpr int32_t kMax = 2147483647;  // 7.4.2.1.1: -2^31 + 1 .. 2^31 - 1
    int32_t offset = 0;
    RETURN_IF_ERROR(r.Flag("delta_pic_order_always_zero_flag", &sps.delta_pic_order_always_zero));
    RETURN_IF_ERROR(r.Se("offset_for_non_ref_pic", -kMax, kMax, &offset));
    RETURN_IF_ERROR(r.Se("offset_for_top_to_bottom_field", -kMax, kMax, &offset));
    uint32_t cycle = 0;
    RETURN_IF_ERROR(r.Ue("num_ref_frames_in_pic_order_cnt_cycle", 255, &cycle));
    for (uint32_t i = 0; i < cycle; ++i) {
      RETURN_IF_ERROR(r.Se("offset_for_ref_frame", -kMax, kMax, &offset));
    }
  }
  // MaxDpbFrames is at most 16 (A.3.1); the looser bound tolerates encoders that overstate it.
  RETURN_IF_ERROR(r.Ue("max_num_ref_frames", 255, &sps.max_num_ref_frames));
  RETURN_IF_ERROR(r.Skip(1, "gaps_in_frame_num_value_allowed_flag"));
  // Bounded so that sizes fit an int comfortably: 2048 macroblocks is 32768 samples, far
  // beyond level 6.2's largest frame (A.3.1, 139264 macroblocks in all).
  uint32_t width_mbs_minus1 = 0, height_map_units_minus1 = 0;
  RETURN_IF_ERROR(r.Ue("pic_width_in_mbs_minus1", 2047, &width_mbs_minus1));
  RETURN_IF_ERROR(r.Ue("pic_height_in_map_units_minus1", 2047, &height_map_units_minus1));
  RETURN_IF_ERROR(r.Flag("frame_mbs_only_flag", &sps.frame_mbs_only));
  if (!sps.frame_mbs_only) {
    RETURN_IF_ERROR(r.Flag("mb_adaptive_frame_field_flag", &sps.mb_adaptive_frame_field));
  }
  RETURN_IF_ERROR(r.Skip(1, "direct_8x8_inference_flag"));

  // 7.4.2.1.1 (7-8, 7-13, 7-18): a field-coded frame has two map-unit rows per macroblock row.
  const int frame_factor = sps.frame_mbs_only ? 1 : 2;
  sps.coded_width = static_cast<int>(width_mbs_minus1 + 1) * 16;
  sps.coded_height = frame_factor * static_cast<int>(height_map_units_minus1 + 1) * 16;

  bool cropping = false;
  RETURN_IF_ERROR(r.Flag("frame_cropping_flag", &cropping));
  uint32_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (cropping) {
    constexpr uint32_t kAny = 0xffffffff;  // checked against the frame size below
    RETURN_IF_ERROR(r.Ue("frame_crop_left_offset", kAny, &crop_left));
    RETURN_IF_ERROR(r.Ue("frame_crop_right_offset", kAny, &crop_right));
    RETURN_IF_ERROR(r.Ue("frame_crop_top_offset", kAny, &crop_top));
    RETURN_IF_ERROR(r.Ue("frame_crop_bottom_offset", kAny, &crop_bottom));
  }
  // Table 6-1 and (7-19)..(7-22): offsets count chroma samples, and field pairs vertically.
  const ChromaSubsampling sub =
      ChromaSubsamplingFor(sps.separate_colour_plane ? 0 : sps.chroma_format_idc);
  const uint64_t crop_x = sub.width * (uint64_t{crop_left} + crop_right);
  const uint64_t crop_y = sub.height * frame_factor * (uint64_t{crop_top} + crop_bottom);
  if (crop_x >= static_cast<uint64_t>(sps.coded_width) ||
      crop_y >= static_cast<uint64_t>(sps.coded_height)) {
    return r.Error("frame_crop_offsets", "cropping " + std::to_string(crop_x) + "x" +
                                             std::to_string(crop_y) + " leaves no picture of " +
                                             std::to_string(sps.coded_width) + "x" +
                                             std::to_string(sps.coded_height));
  }
  sps.width = sps.coded_width - static_cast<int>(crop_x);
  sps.height = sps.coded_height - static_cast<int>(crop_y);

  RETURN_IF_ERROR(r.Flag("vui_parameters_present_flag", &sps.vui_present));
  if (sps.vui_present && !ParseVui(r, sps).ok()) {
    // A damaged VUI must not cost the stream its picture size, which is sound already.
    sps.num_units_in_tick = 0;
    sps.time_scale = 0;
    sps.fixed_frame_rate = false;
    sps.fps.reset();
  }
  return sps;
}

std::string H264CodecString(const H264Sps& sps) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "avc1.%02x%02x%02x", sps.profile_idc, sps.constraint_flags,
                sps.level_idc);
  return buf;
}

}  // namespace sightline::media
