#include "media/h265.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "media/chroma_format.h"
#include "media/nal.h"
#include "media/syntax_reader.h"

namespace sightline::media {
namespace {

constexpr uint32_t kAny = 0xffffffff;  // a ue(v) whose value Sightline neither uses nor bounds

Status CheckHeader(ByteSpan nal, int want_type, std::string_view what) {
  if (nal.size() < 2) {
    return InvalidArgumentError(std::string(what) + ": NAL unit of " + std::to_string(nal.size()) +
                                " bytes is shorter than its 2-byte header");
  }
  const int type = H265NalType(nal[0]);
  if (type != want_type) {
    return InvalidArgumentError(std::string(what) + ": NAL unit type " + std::to_string(type) +
                                " is not " + std::to_string(want_type));
  }
  return Status::Ok();
}

// Plausible frame rates only: careless encoders write timing fields that would claim
// thousands of pictures per second, and such a value is worse than none.
std::optional<double> RateFromTiming(uint32_t num_units_in_tick, uint32_t time_scale) {
  if (num_units_in_tick == 0 || time_scale == 0) return std::nullopt;
  const double fps = static_cast<double>(time_scale) / num_units_in_tick;
  if (fps > 1000.0) return std::nullopt;
  return fps;
}

// 7.3.3 profile_tier_level(1, max_sub_layers_minus1).
Status ParseProfileTierLevel(SyntaxReader& r, uint32_t max_sub_layers_minus1,
                             H265ProfileTierLevel* ptl) {
  uint32_t v = 0;
  RETURN_IF_ERROR(r.U(2, "general_profile_space", &v));
  ptl->profile_space = static_cast<uint8_t>(v);
  RETURN_IF_ERROR(r.U(1, "general_tier_flag", &v));
  ptl->tier_flag = static_cast<uint8_t>(v);
  RETURN_IF_ERROR(r.U(5, "general_profile_idc", &v));
  ptl->profile_idc = static_cast<uint8_t>(v);
  RETURN_IF_ERROR(r.U(32, "general_profile_compatibility_flags", &ptl->compatibility_flags));
  uint32_t high = 0, low = 0;
  RETURN_IF_ERROR(r.U(32, "general_constraint_flags", &high));
  RETURN_IF_ERROR(r.U(16, "general_constraint_flags", &low));
  ptl->constraint_flags = uint64_t{high} << 16 | low;
  RETURN_IF_ERROR(r.U(8, "general_level_idc", &v));
  ptl->level_idc = static_cast<uint8_t>(v);

  bool profile_present[8] = {};
  bool level_present[8] = {};
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    RETURN_IF_ERROR(r.Flag("sub_layer_profile_present_flag", &profile_present[i]));
    RETURN_IF_ERROR(r.Flag("sub_layer_level_present_flag", &level_present[i]));
  }
  if (max_sub_layers_minus1 > 0) {
    RETURN_IF_ERROR(r.Skip(2 * (8 - max_sub_layers_minus1), "reserved_zero_2bits"));
  }
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    // sub_layer_profile_space .. sub_layer_inbld_flag: 2 + 1 + 5 + 32 + 48 bits.
    if (profile_present[i]) RETURN_IF_ERROR(r.Skip(88, "sub_layer_profile"));
    if (level_present[i]) RETURN_IF_ERROR(r.Skip(8, "sub_layer_level_idc"));
  }
  return Status::Ok();
}

// The sub-layer ordering loop shared by the VPS and the SPS (7.3.2.1, 7.3.2.2.1).
Status SkipSubLayerOrdering(SyntaxReader& r, uint32_t max_sub_layers_minus1) {
  bool all_layers = false;
  RETURN_IF_ERROR(r.Flag("sub_layer_ordering_info_present_flag", &all_layers));
  uint32_t unused = 0;
  for (uint32_t i = all_layers ? 0 : max_sub_layers_minus1; i <= max_sub_layers_minus1; ++i) {
    RETURN_IF_ERROR(r.Ue("max_dec_pic_buffering_minus1", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("max_num_reorder_pics", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("max_latency_increase_plus1", kAny, &unused));
  }
  return Status::Ok();
}

// 7.3.4 scaling_list_data().
Status SkipScalingListData(SyntaxReader& r) {
  for (int size_id = 0; size_id < 4; ++size_id) {
    for (int matrix_id = 0; matrix_id < 6; matrix_id += size_id == 3 ? 3 : 1) {
      bool pred_mode = false;
      RETURN_IF_ERROR(r.Flag("scaling_list_pred_mode_flag", &pred_mode));
      if (!pred_mode) {
        uint32_t unused = 0;
        const uint32_t max_delta = static_cast<uint32_t>(size_id == 3 ? matrix_id / 3 : matrix_id);
        RETURN_IF_ERROR(r.Ue("scaling_list_pred_matrix_id_delta", max_delta, &unused));
        continue;
      }
      const int coef_num = std::min(64, 1 << (4 + (size_id << 1)));
      int32_t unused = 0;
      if (size_id > 1) RETURN_IF_ERROR(r.Se("scaling_list_dc_coef_minus8", -7, 247, &unused));
      for (int i = 0; i < coef_num; ++i) {
        RETURN_IF_ERROR(r.Se("scaling_list_delta_coef", -128, 127, &unused));
      }
    }
  }
  return Status::Ok();
}

// A short-term reference picture set as far as later sets need it: the POC deltas of its
// negative (S0) and positive (S1) pictures, which decide how many flags an inter-predicted set
// that refers to it carries.
struct ShortTermRps {
  std::vector<int64_t> s0;
  std::vector<int64_t> s1;
  size_t num_delta_pocs() const { return s0.size() + s1.size(); }
};

// A DPB holds at most 16 pictures (A.4.2), so no set can name more.
constexpr uint32_t kMaxRpsPictures = 16;

// 7.3.7 st_ref_pic_set(idx) in an SPS, with the derivation of 7.4.8 (7-61, 7-62).
Status ParseShortTermRps(SyntaxReader& r, size_t idx, std::vector<ShortTermRps>& sets) {
  ShortTermRps rps;
  bool inter = false;
  if (idx != 0) RETURN_IF_ERROR(r.Flag("inter_ref_pic_set_prediction_flag", &inter));
  if (inter) {
    // In an SPS delta_idx_minus1 is absent and inferred 0: the reference is the previous set.
    const ShortTermRps& ref = sets[idx - 1];
    bool negative = false;
    uint32_t abs_delta_minus1 = 0;
    RETURN_IF_ERROR(r.Flag("delta_rps_sign", &negative));
    RETURN_IF_ERROR(r.Ue("abs_delta_rps_minus1", 32767, &abs_delta_minus1));
    const int64_t delta_rps = (negative ? -1 : 1) * (int64_t{abs_delta_minus1} + 1);
    const size_t n = ref.num_delta_pocs();
    std::vector<bool> use_delta(n + 1, true);
    for (size_t j = 0; j <= n; ++j) {
      bool used_by_curr = false;
      RETURN_IF_ERROR(r.Flag("used_by_curr_pic_flag", &used_by_curr));
      if (!used_by_curr) {
        bool use = false;
        RETURN_IF_ERROR(r.Flag("use_delta_flag", &use));
        use_delta[j] = use;
      }
    }
    const size_t neg = ref.s0.size();
    for (size_t j = ref.s1.size(); j-- > 0;) {
      const int64_t d = ref.s1[j] + delta_rps;
      if (d < 0 && use_delta[neg + j]) rps.s0.push_back(d);
    }
    if (delta_rps < 0 && use_delta[n]) rps.s0.push_back(delta_rps);
    for (size_t j = 0; j < neg; ++j) {
      const int64_t d = ref.s0[j] + delta_rps;
      if (d < 0 && use_delta[j]) rps.s0.push_back(d);
    }
    for (size_t j = neg; j-- > 0;) {
      const int64_t d = ref.s0[j] + delta_rps;
      if (d > 0 && use_delta[j]) rps.s1.push_back(d);
    }
    if (delta_rps > 0 && use_delta[n]) rps.s1.push_back(delta_rps);
    for (size_t j = 0; j < ref.s1.size(); ++j) {
      const int64_t d = ref.s1[j] + delta_rps;
      if (d > 0 && use_delta[neg + j]) rps.s1.push_back(d);
    }
    if (rps.num_delta_pocs() > kMaxRpsPictures) {
      return r.Error("st_ref_pic_set", "predicted set names " +
                                           std::to_string(rps.num_delta_pocs()) + " pictures");
    }
  } else {
    uint32_t num_negative = 0, num_positive = 0;
    RETURN_IF_ERROR(r.Ue("num_negative_pics", kMaxRpsPictures, &num_negative));
    RETURN_IF_ERROR(
        r.Ue("num_positive_pics", kMaxRpsPictures - num_negative, &num_positive));
    int64_t poc = 0;
    for (uint32_t i = 0; i < num_negative; ++i) {
      uint32_t delta_minus1 = 0;
      RETURN_IF_ERROR(r.Ue("delta_poc_s0_minus1", 32767, &delta_minus1));
      RETURN_IF_ERROR(r.Skip(1, "used_by_curr_pic_s0_flag"));
      poc -= int64_t{delta_minus1} + 1;
      rps.s0.push_back(poc);
    }
    poc = 0;
    for (uint32_t i = 0; i < num_positive; ++i) {
      uint32_t delta_minus1 = 0;
      RETURN_IF_ERROR(r.Ue("delta_poc_s1_minus1", 32767, &delta_minus1));
      RETURN_IF_ERROR(r.Skip(1, "used_by_curr_pic_s1_flag"));
      poc += int64_t{delta_minus1} + 1;
      rps.s1.push_back(poc);
    }
  }
  sets.push_back(std::move(rps));
  return Status::Ok();
}

// E.2.1 vui_parameters() up to the timing information.
Status ParseVui(SyntaxReader& r, H265Sps& sps) {
  RETURN_IF_ERROR(ReadVuiBasics(r, &sps.vui));
  RETURN_IF_ERROR(r.Skip(1, "neutral_chroma_indication_flag"));
  RETURN_IF_ERROR(r.Flag("field_seq_flag", &sps.field_seq));
  RETURN_IF_ERROR(r.Skip(1, "frame_field_info_present_flag"));
  bool display_window = false;
  RETURN_IF_ERROR(r.Flag("default_display_window_flag", &display_window));
  if (display_window) {
    uint32_t unused = 0;
    RETURN_IF_ERROR(r.Ue("def_disp_win_left_offset", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("def_disp_win_right_offset", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("def_disp_win_top_offset", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("def_disp_win_bottom_offset", kAny, &unused));
  }
  bool timing = false;
  RETURN_IF_ERROR(r.Flag("vui_timing_info_present_flag", &timing));
  if (!timing) return Status::Ok();
  uint32_t num_units_in_tick = 0, time_scale = 0;
  RETURN_IF_ERROR(r.U(32, "vui_num_units_in_tick", &num_units_in_tick));
  RETURN_IF_ERROR(r.U(32, "vui_time_scale", &time_scale));
  sps.num_units_in_tick = num_units_in_tick;
  sps.time_scale = time_scale;
  sps.fps = RateFromTiming(num_units_in_tick, time_scale);
  return Status::Ok();
}

}  // namespace

Result<H265Sps> ParseH265Sps(ByteSpan nal) {
  RETURN_IF_ERROR(CheckHeader(nal, kH265NalSps, "H.265 SPS"));
  const Bytes rbsp = EbspToRbsp(nal.subspan(2));
  SyntaxReader r("H.265 SPS", rbsp);
  H265Sps sps;
  uint32_t v = 0;
  RETURN_IF_ERROR(r.U(4, "sps_video_parameter_set_id", &sps.vps_id));
  RETURN_IF_ERROR(r.U(3, "sps_max_sub_layers_minus1", &v));
  if (v > 6) return r.Error("sps_max_sub_layers_minus1", "value 7 is reserved");
  const uint32_t max_sub_layers_minus1 = v;
  sps.max_sub_layers = v + 1;
  RETURN_IF_ERROR(r.Skip(1, "sps_temporal_id_nesting_flag"));
  RETURN_IF_ERROR(ParseProfileTierLevel(r, max_sub_layers_minus1, &sps.ptl));
  RETURN_IF_ERROR(r.Ue("sps_seq_parameter_set_id", 15, &sps.sps_id));
  RETURN_IF_ERROR(r.Ue("chroma_format_idc", 3, &sps.chroma_format_idc));
  if (sps.chroma_format_idc == 3) {
    RETURN_IF_ERROR(r.Flag("separate_colour_plane_flag", &sps.separate_colour_plane));
  }
  // Level 6.2 allows at most 35651584 luma samples, never more than 16888 on a side (A.4.1);
  // 32768 leaves room and keeps sizes well inside an int.
  uint32_t width = 0, height = 0;
  RETURN_IF_ERROR(r.Ue("pic_width_in_luma_samples", 32768, &width));
  RETURN_IF_ERROR(r.Ue("pic_height_in_luma_samples", 32768, &height));
  if (width == 0 || height == 0) {
    return r.Error("pic_height_in_luma_samples", "empty picture " + std::to_string(width) + "x" +
                                                     std::to_string(height));
  }
  sps.coded_width = static_cast<int>(width);
  sps.coded_height = static_cast<int>(height);
  bool window = false;
  RETURN_IF_ERROR(r.Flag("conformance_window_flag", &window));
  uint32_t left = 0, right = 0, top = 0, bottom = 0;
  if (window) {
    RETURN_IF_ERROR(r.Ue("conf_win_left_offset", kAny, &left));
    RETURN_IF_ERROR(r.Ue("conf_win_right_offset", kAny, &right));
    RETURN_IF_ERROR(r.Ue("conf_win_top_offset", kAny, &top));
    RETURN_IF_ERROR(r.Ue("conf_win_bottom_offset", kAny, &bottom));
  }
  // Table 6-1: window offsets count chroma samples.
  const ChromaSubsampling sub =
      ChromaSubsamplingFor(sps.separate_colour_plane ? 0 : sps.chroma_format_idc);
  const uint64_t crop_x = sub.width * (uint64_t{left} + right);
  const uint64_t crop_y = sub.height * (uint64_t{top} + bottom);
  if (crop_x >= width || crop_y >= height) {
    return r.Error("conf_win_offsets", "window " + std::to_string(crop_x) + "x" +
                                           std::to_string(crop_y) + " leaves no picture of " +
                                           std::to_string(width) + "x" + std::to_string(height));
  }
  sps.width = static_cast<int>(width - crop_x);
  sps.height = static_cast<int>(height - crop_y);

  RETURN_IF_ERROR(r.Ue("bit_depth_luma_minus8", 8, &v));
  sps.bit_depth_luma = v + 8;
  RETURN_IF_ERROR(r.Ue("bit_depth_chroma_minus8", 8, &v));
  sps.bit_depth_chroma = v + 8;
  RETURN_IF_ERROR(r.Ue("log2_max_pic_order_cnt_lsb_minus4", 12, &v));
  sps.log2_max_pic_order_cnt_lsb = v + 4;

  // Past this point only the VUI's timing is wanted; a failure leaves fps unset.
  auto parse_rest = [&]() -> Status {
    uint32_t unused = 0;
    RETURN_IF_ERROR(SkipSubLayerOrdering(r, max_sub_layers_minus1));
    RETURN_IF_ERROR(r.Ue("log2_min_luma_coding_block_size_minus3", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("log2_diff_max_min_luma_coding_block_size", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("log2_min_luma_transform_block_size_minus2", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("log2_diff_max_min_luma_transform_block_size", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("max_transform_hierarchy_depth_inter", kAny, &unused));
    RETURN_IF_ERROR(r.Ue("max_transform_hierarchy_depth_intra", kAny, &unused));
    bool flag = false;
    RETURN_IF_ERROR(r.Flag("scaling_list_enabled_flag", &flag));
    if (flag) {
      RETURN_IF_ERROR(r.Flag("sps_scaling_list_data_present_flag", &flag));
      if (flag) RETURN_IF_ERROR(SkipScalingListData(r));
    }
    RETURN_IF_ERROR(r.Skip(1, "amp_enabled_flag"));
    RETURN_IF_ERROR(r.Skip(1, "sample_adaptive_offset_enabled_flag"));
    RETURN_IF_ERROR(r.Flag("pcm_enabled_flag", &flag));
    if (flag) {
      RETURN_IF_ERROR(r.Skip(8, "pcm_sample_bit_depths"));
      RETURN_IF_ERROR(r.Ue("log2_min_pcm_luma_coding_block_size_minus3", kAny, &unused));
      RETURN_IF_ERROR(r.Ue("log2_diff_max_min_pcm_luma_coding_block_size", kAny, &unused));
      RETURN_IF_ERROR(r.Skip(1, "pcm_loop_filter_disabled_flag"));
    }
    uint32_t num_sets = 0;
    RETURN_IF_ERROR(r.Ue("num_short_term_ref_pic_sets", 64, &num_sets));
    std::vector<ShortTermRps> sets;
    sets.reserve(num_sets);
    for (uint32_t i = 0; i < num_sets; ++i) RETURN_IF_ERROR(ParseShortTermRps(r, i, sets));
    RETURN_IF_ERROR(r.Flag("long_term_ref_pics_present_flag", &flag));
    if (flag) {
      uint32_t num_long_term = 0;
      RETURN_IF_ERROR(r.Ue("num_long_term_ref_pics_sps", 32, &num_long_term));
      // lt_ref_pic_poc_lsb_sps is u(v) of log2_max_pic_order_cnt_lsb bits, plus a used flag.
      RETURN_IF_ERROR(r.Skip(num_long_term * (sps.log2_max_pic_order_cnt_lsb + 1),
                             "long_term_ref_pics"));
    }
    RETURN_IF_ERROR(r.Skip(1, "sps_temporal_mvp_enabled_flag"));
    RETURN_IF_ERROR(r.Skip(1, "strong_intra_smoothing_enabled_flag"));
    RETURN_IF_ERROR(r.Flag("vui_parameters_present_flag", &sps.vui_present));
    if (sps.vui_present) RETURN_IF_ERROR(ParseVui(r, sps));
    return Status::Ok();
  };
  if (!parse_rest().ok()) {
    sps.num_units_in_tick = 0;
    sps.time_scale = 0;
    sps.fps.reset();
  }
  return sps;
}

Result<H265Vps> ParseH265Vps(ByteSpan nal) {
  RETURN_IF_ERROR(CheckHeader(nal, kH265NalVps, "H.265 VPS"));
  const Bytes rbsp = EbspToRbsp(nal.subspan(2));
  SyntaxReader r("H.265 VPS", rbsp);
  H265Vps vps;
  uint32_t v = 0;
  RETURN_IF_ERROR(r.U(4, "vps_video_parameter_set_id", &vps.vps_id));
  RETURN_IF_ERROR(r.Skip(2, "vps_base_layer_flags"));
  RETURN_IF_ERROR(r.Skip(6, "vps_max_layers_minus1"));
  RETURN_IF_ERROR(r.U(3, "vps_max_sub_layers_minus1", &v));
  if (v > 6) return r.Error("vps_max_sub_layers_minus1", "value 7 is reserved");
  const uint32_t max_sub_layers_minus1 = v;
  vps.max_sub_layers = v + 1;
  RETURN_IF_ERROR(r.Skip(1, "vps_temporal_id_nesting_flag"));
  RETURN_IF_ERROR(r.Skip(16, "vps_reserved_0xffff_16bits"));
  RETURN_IF_ERROR(ParseProfileTierLevel(r, max_sub_layers_minus1, &vps.ptl));

  // Only the timing information remains of interest; a damaged tail leaves fps unset.
  auto parse_timing = [&]() -> Status {
    RETURN_IF_ERROR(SkipSubLayerOrdering(r, max_sub_layers_minus1));
    uint32_t max_layer_id = 0, num_layer_sets_minus1 = 0;
    RETURN_IF_ERROR(r.U(6, "vps_max_layer_id", &max_layer_id));
    RETURN_IF_ERROR(r.Ue("vps_num_layer_sets_minus1", 1023, &num_layer_sets_minus1));
    // layer_id_included_flag[i][j] for i in 1..num_layer_sets_minus1, j in 0..max_layer_id.
    RETURN_IF_ERROR(r.Skip(size_t{num_layer_sets_minus1} * (max_layer_id + 1),
                           "layer_id_included_flags"));
    bool timing = false;
    RETURN_IF_ERROR(r.Flag("vps_timing_info_present_flag", &timing));
    if (!timing) return Status::Ok();
    uint32_t num_units_in_tick = 0, time_scale = 0;
    RETURN_IF_ERROR(r.U(32, "vps_num_units_in_tick", &num_units_in_tick));
    RETURN_IF_ERROR(r.U(32, "vps_time_scale", &time_scale));
    vps.fps = RateFromTiming(num_units_in_tick, time_scale);
    return Status::Ok();
  };
  if (!parse_timing().ok()) vps.fps.reset();
  return vps;
}

std::string H265CodecString(const H265ProfileTierLevel& ptl) {
  std::string s = "hvc1.";
  if (ptl.profile_space > 0 && ptl.profile_space <= 3) {
    s += static_cast<char>('A' + ptl.profile_space - 1);
  }
  s += std::to_string(ptl.profile_idc);
  uint32_t reversed = 0;
  for (int i = 0; i < 32; ++i) {
    if ((ptl.compatibility_flags >> i) & 1) reversed |= 1u << (31 - i);
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), ".%X", reversed);
  s += buf;
  s += ptl.tier_flag ? ".H" : ".L";
  s += std::to_string(ptl.level_idc);
  int last = -1;
  uint8_t bytes[6];
  for (int i = 0; i < 6; ++i) {
    bytes[i] = static_cast<uint8_t>(ptl.constraint_flags >> (40 - 8 * i));
    if (bytes[i] != 0) last = i;
  }
  for (int i = 0; i <= last; ++i) {
    std::snprintf(buf, sizeof(buf), ".%X", bytes[i]);
    s += buf;
  }
  return s;
}

}  // namespace sightline::media
