#include "media/h264.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "media/bit_writer.h"
#include "media/nal.h"
#include "media/test_param_sets.h"

namespace sightline::media {
namespace {

using ::testing::HasSubstr;

// SPS NAL units written by Debian 12's libx264 for 3 frames of ffmpeg's testsrc2, to cover
// profiles and codings the real footage does not (values checked with trace_headers).
// -pix_fmt yuv422p10le, 640x360 @25: High 4:2:2, chroma_format_idc 2 (crop unit 2x1).
constexpr std::string_view kX264High422 =
    "677a001eb6cd940a02ff89c044000003000400000300c83c58b658";
// -pix_fmt yuv444p10le, 640x360 @25: High 4:4:4 Predictive, chroma_format_idc 3 (crop unit 1x1).
constexpr std::string_view kX264High444 =
    "67f4001e90d9b281405ff13808800000030080000019078b16cb";
// -profile:v baseline, 320x240 @30000/1001: pic_order_cnt_type 2, no cropping.
constexpr std::string_view kX264Baseline = "6742c00dd90141fb011000003e90000ea600f142a480";
// -flags +ildct+ilme -x264-params interlaced=1, 640x360 @25: frame_mbs_only_flag 0, 12 map
// units of 32 lines, cropped by 6 * 4 lines.
constexpr std::string_view kX264Interlaced =
    "6764001eacd940a063f3e022000003000200000300643e28532c";

TEST(H264SpsTest, Pets1080p) {
  Result<H264Sps> sps = ParseH264Sps(testdata::kPets1080pH264Sps);
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->profile_idc, 100);
  EXPECT_EQ(sps->constraint_flags, 0);
  EXPECT_EQ(sps->level_idc, 40);
  EXPECT_EQ(sps->sps_id, 0u);
  EXPECT_EQ(sps->chroma_format_idc, 1u);
  EXPECT_EQ(sps->bit_depth_luma, 8u);
  EXPECT_EQ(sps->log2_max_frame_num, 4u);
  EXPECT_TRUE(sps->frame_mbs_only);
  EXPECT_EQ(sps->coded_width, 1920);
  EXPECT_EQ(sps->coded_height, 1088);
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);
  EXPECT_EQ(sps->num_units_in_tick, 1u);
  EXPECT_EQ(sps->time_scale, 20u);
  ASSERT_TRUE(sps->fps.has_value());
  EXPECT_DOUBLE_EQ(*sps->fps, 10.0);
  EXPECT_EQ(H264CodecString(*sps), "avc1.640028");
}

TEST(H264SpsTest, Pets360p) {
  Result<H264Sps> sps = ParseH264Sps(testdata::kPets360pH264Sps);
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->profile_idc, 77);
  EXPECT_EQ(sps->constraint_flags, 0x40);
  EXPECT_EQ(sps->level_idc, 22);
  EXPECT_EQ(sps->coded_height, 368);
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
  ASSERT_TRUE(sps->fps.has_value());
  EXPECT_DOUBLE_EQ(*sps->fps, 10.0);
  EXPECT_EQ(H264CodecString(*sps), "avc1.4d4016");
}

TEST(H264SpsTest, City1080p25WithAspectRatio) {
  Result<H264Sps> sps = ParseH264Sps(testdata::kCity1080pH264Sps);
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);
  EXPECT_EQ(sps->vui.sar_width, 1);
  EXPECT_EQ(sps->vui.sar_height, 1);
  ASSERT_TRUE(sps->fps.has_value());
  EXPECT_DOUBLE_EQ(*sps->fps, 25.0);
  EXPECT_EQ(H264CodecString(*sps), "avc1.640028");
}

TEST(H264SpsTest, High422CropsInChromaUnits) {
  Result<H264Sps> sps = ParseH264Sps(testdata::FromHex(kX264High422));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->profile_idc, 122);
  EXPECT_EQ(sps->chroma_format_idc, 2u);
  EXPECT_EQ(sps->bit_depth_luma, 10u);
  EXPECT_EQ(sps->bit_depth_chroma, 10u);
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
  EXPECT_DOUBLE_EQ(sps->fps.value_or(0), 25.0);
  EXPECT_EQ(H264CodecString(*sps), "avc1.7a001e");
}

TEST(H264SpsTest, High444) {
  Result<H264Sps> sps = ParseH264Sps(testdata::FromHex(kX264High444));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->profile_idc, 244);
  EXPECT_EQ(sps->chroma_format_idc, 3u);
  EXPECT_FALSE(sps->separate_colour_plane);
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
  EXPECT_DOUBLE_EQ(sps->fps.value_or(0), 25.0);
  EXPECT_EQ(H264CodecString(*sps), "avc1.f4001e");
}

TEST(H264SpsTest, ConstrainedBaselineNtscRate) {
  Result<H264Sps> sps = ParseH264Sps(testdata::FromHex(kX264Baseline));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->pic_order_cnt_type, 2u);
  EXPECT_EQ(sps->width, 320);
  EXPECT_EQ(sps->height, 240);
  EXPECT_EQ(sps->time_scale, 60000u);
  EXPECT_EQ(sps->num_units_in_tick, 1001u);
  EXPECT_NEAR(sps->fps.value_or(0), 29.97, 0.001);
  EXPECT_EQ(H264CodecString(*sps), "avc1.42c00d");
}

TEST(H264SpsTest, Interlaced) {
  Result<H264Sps> sps = ParseH264Sps(testdata::FromHex(kX264Interlaced));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_FALSE(sps->frame_mbs_only);
  EXPECT_EQ(sps->coded_height, 384);
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
  EXPECT_DOUBLE_EQ(sps->fps.value_or(0), 25.0);
  EXPECT_EQ(H264CodecString(*sps), "avc1.64001e");
}

// Options for a synthetic SPS, for syntax the encoders at hand never write into an SPS.
struct SynthSps {
  uint8_t profile_idc = 100;
  bool scaling_lists = false;
  uint32_t poc_type = 0;
  uint32_t width_mbs = 20;
  uint32_t height_map_units = 12;
  bool frame_mbs_only = true;
  uint32_t crop_bottom = 0;
  bool extended_sar = false;
  bool timing = true;
  uint32_t num_units_in_tick = 1;
  uint32_t time_scale = 50;
};

Bytes BuildSps(const SynthSps& s) {
  BitWriter w;
  w.WriteBits(8, 0x67);
  w.WriteBits(8, s.profile_idc);
  w.WriteBits(8, 0);
  w.WriteBits(8, 31);
  w.WriteUe(3);  // seq_parameter_set_id
  if (s.profile_idc == 100) {
    w.WriteUe(1);  // chroma_format_idc
    w.WriteUe(0);
    w.WriteUe(0);
    w.WriteFlag(false);
    w.WriteFlag(s.scaling_lists);
    if (s.scaling_lists) {
      for (int i = 0; i < 8; ++i) {
        const bool present = i != 1;
        w.WriteFlag(present);
        if (!present) continue;
        const int size = i < 6 ? 16 : 64;
        if (i == 2) {
          w.WriteSe(-8);  // next_scale 0 at once: use the default list
          continue;
        }
        // Alternating +3/-3 from 8 never reaches 0, which would end the list early.
        for (int j = 0; j < size; ++j) w.WriteSe(j % 2 == 0 ? 3 : -3);
      }
    }
  }
  w.WriteUe(2);  // log2_max_frame_num_minus4
  w.WriteUe(s.poc_type);
  if (s.poc_type == 0) {
    w.WriteUe(4);
  } else if (s.poc_type == 1) {
    w.WriteFlag(false);
    w.WriteSe(-2);
    w.WriteSe(1);
    w.WriteUe(3);
    for (int i = 0; i < 3; ++i) w.WriteSe(i * 2 - 1);
  }
  w.WriteUe(4);  // max_num_ref_frames
  w.WriteFlag(false);
  w.WriteUe(s.width_mbs - 1);
  w.WriteUe(s.height_map_units - 1);
  w.WriteFlag(s.frame_mbs_only);
  if (!s.frame_mbs_only) w.WriteFlag(true);
  w.WriteFlag(true);
  w.WriteFlag(s.crop_bottom != 0);
  if (s.crop_bottom != 0) {
    w.WriteUe(0);
    w.WriteUe(0);
    w.WriteUe(0);
    w.WriteUe(s.crop_bottom);
  }
  w.WriteFlag(true);  // vui_parameters_present_flag
  w.WriteFlag(s.extended_sar);
  if (s.extended_sar) {
    w.WriteBits(8, 255);
    w.WriteBits(16, 4);
    w.WriteBits(16, 3);
  }
  w.WriteFlag(false);  // overscan
  w.WriteFlag(true);   // video_signal_type_present_flag
  w.WriteBits(3, 5);
  w.WriteFlag(true);  // full range
  w.WriteFlag(true);
  w.WriteBits(8, 1);
  w.WriteBits(8, 1);
  w.WriteBits(8, 1);
  w.WriteFlag(true);  // chroma_loc_info_present_flag
  w.WriteUe(1);
  w.WriteUe(1);
  w.WriteFlag(s.timing);
  if (s.timing) {
    w.WriteBits(32, s.num_units_in_tick);
    w.WriteBits(32, s.time_scale);
    w.WriteFlag(true);
  }
  w.WriteFlag(false);  // nal_hrd
  w.WriteFlag(false);  // vcl_hrd
  w.WriteFlag(false);  // pic_struct_present_flag
  w.WriteFlag(false);  // bitstream_restriction_flag
  w.WriteTrailingBits();
  const Bytes& rbsp = w.bytes();
  Bytes nal = {rbsp[0]};
  const Bytes payload = RbspToEbsp(ByteSpan(rbsp).subspan(1));
  nal.insert(nal.end(), payload.begin(), payload.end());
  return nal;
}

TEST(H264SpsTest, SyntheticScalingListsPocType1AndVui) {
  SynthSps s;
  s.scaling_lists = true;
  s.poc_type = 1;
  s.extended_sar = true;
  Result<H264Sps> sps = ParseH264Sps(BuildSps(s));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->sps_id, 3u);
  EXPECT_EQ(sps->log2_max_frame_num, 6u);
  EXPECT_EQ(sps->pic_order_cnt_type, 1u);
  EXPECT_EQ(sps->max_num_ref_frames, 4u);
  EXPECT_EQ(sps->width, 320);
  EXPECT_EQ(sps->height, 192);
  EXPECT_EQ(sps->vui.sar_width, 4);
  EXPECT_EQ(sps->vui.sar_height, 3);
  EXPECT_TRUE(sps->vui.video_full_range);
  EXPECT_EQ(sps->vui.colour_primaries, 1);
  EXPECT_TRUE(sps->fixed_frame_rate);
  EXPECT_DOUBLE_EQ(sps->fps.value_or(0), 25.0);
}

TEST(H264SpsTest, SyntheticInterlacedCropUnits) {
  SynthSps s;
  s.frame_mbs_only = false;
  s.height_map_units = 34;  // 34 * 32 = 1088 lines
  s.crop_bottom = 2;        // 2 * SubHeightC 2 * 2 fields = 8 lines
  Result<H264Sps> sps = ParseH264Sps(BuildSps(s));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_TRUE(sps->mb_adaptive_frame_field);
  EXPECT_EQ(sps->coded_height, 1088);
  EXPECT_EQ(sps->height, 1080);
}

TEST(H264SpsTest, NoTimingOrImplausibleTimingLeavesFpsUnset) {
  SynthSps s;
  s.timing = false;
  Result<H264Sps> sps = ParseH264Sps(BuildSps(s));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_FALSE(sps->fps.has_value());
  s.timing = true;
  s.time_scale = 90000;
  sps = ParseH264Sps(BuildSps(s));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->time_scale, 90000u);
  EXPECT_FALSE(sps->fps.has_value());
  s.num_units_in_tick = 0;
  sps = ParseH264Sps(BuildSps(s));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_FALSE(sps->fps.has_value());
}

TEST(H264SpsTest, CroppingAwayThePictureIsAnError) {
  SynthSps s;
  s.crop_bottom = 96;  // 192 lines of a 192-line picture
  Result<H264Sps> sps = ParseH264Sps(BuildSps(s));
  ASSERT_FALSE(sps.ok());
  EXPECT_THAT(sps.status().message(), HasSubstr("leaves no picture"));
}

TEST(H264SpsTest, TruncatedVuiKeepsSize) {
  // Cut inside num_units_in_tick: everything before the VUI timing is intact.
  const Bytes full(std::begin(testdata::kPets1080pH264Sps),
                   std::end(testdata::kPets1080pH264Sps));
  const Bytes cut(full.begin(), full.begin() + 14);
  Result<H264Sps> sps = ParseH264Sps(cut);
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);
  EXPECT_FALSE(sps->fps.has_value());
  EXPECT_EQ(sps->time_scale, 0u);
}

TEST(H264SpsTest, EveryTruncationFailsCleanlyOrKeepsSize) {
  for (ByteSpan whole : {ByteSpan(testdata::kPets1080pH264Sps),
                         ByteSpan(testdata::kPets360pH264Sps)}) {
    Result<H264Sps> full = ParseH264Sps(whole);
    ASSERT_TRUE(full.ok());
    for (size_t n = 0; n < whole.size(); ++n) {
      Result<H264Sps> sps = ParseH264Sps(whole.first(n));
      if (sps.ok()) {
        EXPECT_EQ(sps->width, full->width) << n;
        EXPECT_EQ(sps->height, full->height) << n;
      } else {
        EXPECT_EQ(sps.status().code(), StatusCode::kInvalidArgument) << n;
        EXPECT_THAT(sps.status().message(), HasSubstr("H.264 SPS")) << n;
      }
    }
    // Up to the cropping offsets nothing can succeed.
    EXPECT_FALSE(ParseH264Sps(whole.first(8)).ok());
  }
}

TEST(H264SpsTest, ErrorsNameTheElement) {
  const uint8_t truncated[] = {0x67, 0x64, 0x00, 0x28, 0xac};
  Result<H264Sps> sps = ParseH264Sps(truncated);
  ASSERT_FALSE(sps.ok());
  EXPECT_THAT(sps.status().message(), HasSubstr("H.264 SPS: "));
  EXPECT_THAT(sps.status().message(), HasSubstr(" at bit "));

  // ue(v) with 32 leading zeros where seq_parameter_set_id belongs.
  const uint8_t overflow[] = {0x67, 0x42, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff};
  sps = ParseH264Sps(overflow);
  ASSERT_FALSE(sps.ok());
  EXPECT_THAT(sps.status().message(), HasSubstr("seq_parameter_set_id at bit 24"));

  const uint8_t pps[] = {0x68, 0xeb, 0xcc};
  sps = ParseH264Sps(pps);
  ASSERT_FALSE(sps.ok());
  EXPECT_THAT(sps.status().message(), HasSubstr("type 8 is not an SPS"));
  EXPECT_FALSE(ParseH264Sps(ByteSpan()).ok());
}

TEST(H264SpsTest, CodecStringIsLowerCaseHex) {
  H264Sps sps;
  sps.profile_idc = 0x4d;
  sps.constraint_flags = 0xe0;
  sps.level_idc = 0x0a;
  EXPECT_EQ(H264CodecString(sps), "avc1.4de00a");
}

}  // namespace
}  // namespace sightline::media
