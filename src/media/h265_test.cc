#include "media/h265.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "media/bit_writer.h"
#include "media/nal.h"
#include "media/stream_params.h"
#include "media/test_param_sets.h"

namespace sightline::media {
namespace {

using ::testing::HasSubstr;

// Parameter sets written by Debian 12's libx265 for 3 frames of ffmpeg's testsrc2, to cover
// what the real footage does not (values checked with ffmpeg's trace_headers).
// -pix_fmt yuv420p10le -x265-params temporal-layers=1, 640x360 @30000/1001: Main 10, two
// temporal sub-layers (sub-layer flags and reserved bits in profile_tier_level).
constexpr std::string_view kX265TemporalVps =
    "40010c02ffff02200000030090000003000003003f00009598acc048";
constexpr std::string_view kX265TemporalSps =
    "42010202200000030090000003000003003f0000a0050201693659598acd24995e02d01000003e9000075300"
    "80";
// -pix_fmt yuv422p10le, 1918x1078 @10: Format range extensions profile (4), coded 1920x1080
// with a conformance window of 1 chroma column (2 samples) and 2 rows (4:2:2: 1 sample each).
constexpr std::string_view kX265Rext422Sps =
    "4201010408000003009d08000003000078b003c08010e756d96566924e5780b4040000030004000003002820";
// -x265-params scaling-list=FILE (custom lists for every size), 416x240 @24: scaling_list_data()
// in the SPS.
constexpr std::string_view kX265ScalingListSps =
    "42010101600000030090000003000003003ca00d080f165959a493e61c2ce0883a0d8168c1d101d0f1c74110"
    "601b8402809e140d30c880c0f1a784018426190540b43030590a6330dc1f20f8a8482e12981682a2864e0820"
    "9870f0d06c3404105c1504c0a4220d81987812cc28241d0e1c242032130440ac2c50886283c1710d8d4101a1"
    "41409c2c150780d4170d05a460f832094502205e288180e8508084150c06a30220c048d6414381382c40f438"
    "110580e4604024151608032241244090401710242040d860340d45024638e405e0a02a1f0581238390902206"
    "20b819c120444850240a50905415048c19822306c782e0ab1e4b0b02329c1202707015a05904209068581782"
    "c0661a0f98c3048284154120520a18647436180f8e0a09098d8e0c210505e141408d068261106c0bd0262864"
    "2640a080a8703e1609c1b1017824098c162c38150a2670a03f05c3080bc720803305c0a41a0270580a50e412"
    "282540a078a062180420e0158a0401f0b0643630520882e38250401004a190401e8840d21360ac1806c1202b"
    "0f0c121120581c820282006e0a068a0fb0540b4301d60c01c98a30583c042714110e0558e6141a3048d0c025"
    "42c30ce1e0a82750541b0548a2c68b47080c634381304a0a83a120803706c2ca8321020741805ca13282e0e8"
    "e0460a070311c120ea04c151a20414261c140d414044782404e1e05e0a2123070503b05408c160f163c68706"
    "0250806208c58248e482a173080d02b202a0622040d098e04c350230b20401104e0a080ac50221009420094a"
    "0e811858138a080258603c60662c201a0e87014838088d8f16100e0272030282d0401038d0521830e0d94c09"
    "01ca06c1761a07670c0a2103e3858c0882a04a1e2029308160b0e0ac2c08630705424cc16056840f60c8c130"
    "cc506822085858a08018859881a0a0a3c2009c48301e2906cc8320b012850c094287040343228261a091c233"
    "9c261e82e05e0e01b84058401202904034605c24301b8300c8d16704c3c68c18120a942c190e0350b18261a1"
    "0170b04c48f0820b82c0a8c0a206e0c816822088230608139c3c290420c8603b20702a0a8c0d4c2822160c84"
    "040210541005a1804e0f81e82a0520c0321d8341a2450745836088a982609c7103c0d41206434ce38281305a"
    "14088c1e101a160d8620e8198905c20a09441cec502604e0b8118781d834854e1906c1b0c02918514100db60"
    "981a98241d06809416044820b609458340a958c40b4341c48223d0d8685048486c131e08c1402d04813284c1"
    "b064128240986827143c308824108283880a8485821126142c281e0982d4098361a09851023170640c41d0f1"
    "c17180cc1f390c0d01487848a05e143901004ce1504c0cc5118bc5068300dcc1a285c20540882268230c0270"
    "c0928280563870e046190a0583e0981282421480945074655e02d0100000030010000003018080";

TEST(H265SpsTest, Pets1080p) {
  Result<H265Sps> sps = ParseH265Sps(testdata::kPetsH265Sps);
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->ptl.profile_space, 0);
  EXPECT_EQ(sps->ptl.tier_flag, 0);
  EXPECT_EQ(sps->ptl.profile_idc, 1);
  EXPECT_EQ(sps->ptl.compatibility_flags, 0x60000000u);
  EXPECT_EQ(sps->ptl.constraint_flags, uint64_t{0x900000000000});
  EXPECT_EQ(sps->ptl.level_idc, 120);
  EXPECT_EQ(sps->sps_id, 0u);
  EXPECT_EQ(sps->max_sub_layers, 1u);
  EXPECT_EQ(sps->chroma_format_idc, 1u);
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);
  EXPECT_EQ(sps->log2_max_pic_order_cnt_lsb, 8u);
  EXPECT_TRUE(sps->vui_present);
  EXPECT_EQ(sps->time_scale, 10u);
  EXPECT_EQ(sps->num_units_in_tick, 1u);
  ASSERT_TRUE(sps->fps.has_value());
  EXPECT_DOUBLE_EQ(*sps->fps, 10.0);
  EXPECT_EQ(H265CodecString(sps->ptl), "hvc1.1.6.L120.90");
}

TEST(H265VpsTest, Pets1080p) {
  Result<H265Vps> vps = ParseH265Vps(testdata::kPetsH265Vps);
  ASSERT_TRUE(vps.ok()) << vps.status();
  EXPECT_EQ(vps->vps_id, 0u);
  EXPECT_EQ(vps->max_sub_layers, 1u);
  EXPECT_EQ(vps->ptl.profile_idc, 1);
  EXPECT_EQ(vps->ptl.level_idc, 120);
  EXPECT_EQ(H265CodecString(vps->ptl), "hvc1.1.6.L120.90");
  EXPECT_FALSE(vps->fps.has_value());  // vps_timing_info_present_flag is 0
}

TEST(H265SpsTest, TemporalSubLayersMain10) {
  Result<H265Sps> sps = ParseH265Sps(testdata::FromHex(kX265TemporalSps));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->max_sub_layers, 2u);
  EXPECT_EQ(sps->ptl.profile_idc, 2);
  EXPECT_EQ(sps->bit_depth_luma, 10u);
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
  EXPECT_NEAR(sps->fps.value_or(0), 29.97, 0.001);
  EXPECT_EQ(H265CodecString(sps->ptl), "hvc1.2.4.L63.90");

  Result<H265Vps> vps = ParseH265Vps(testdata::FromHex(kX265TemporalVps));
  ASSERT_TRUE(vps.ok()) << vps.status();
  EXPECT_EQ(vps->max_sub_layers, 2u);
  EXPECT_EQ(H265CodecString(vps->ptl), "hvc1.2.4.L63.90");
}

TEST(H265SpsTest, RangeExtensions422ConformanceWindow) {
  Result<H265Sps> sps = ParseH265Sps(testdata::FromHex(kX265Rext422Sps));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->chroma_format_idc, 2u);
  EXPECT_EQ(sps->coded_width, 1920);
  EXPECT_EQ(sps->coded_height, 1080);
  EXPECT_EQ(sps->width, 1918);
  EXPECT_EQ(sps->height, 1078);
  EXPECT_DOUBLE_EQ(sps->fps.value_or(0), 10.0);
  // general_max_12bit .. lower_bit_rate constraint flags spill into a second byte, 0x08.
  EXPECT_EQ(H265CodecString(sps->ptl), "hvc1.4.10.L120.9D.8");
}

TEST(H265SpsTest, ScalingListData) {
  Result<H265Sps> sps = ParseH265Sps(testdata::FromHex(kX265ScalingListSps));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->width, 416);
  EXPECT_EQ(sps->height, 240);
  // Reaching the VUI's 24 fps proves all of scaling_list_data() was walked exactly.
  EXPECT_DOUBLE_EQ(sps->fps.value_or(0), 24.0);
  EXPECT_EQ(H265CodecString(sps->ptl), "hvc1.1.6.L60.90");
}

// A synthetic SPS with the syntax x265 never writes into one: sub-layer profiles and levels,
// PCM, explicit and inter-predicted short-term reference picture sets, long-term pictures,
// a default display window. Checked against ffmpeg's trace_headers when written.
struct SynthSps {
  bool vui = true;
  bool truncate_vui = false;
  bool tricky_rps = false;  // a predicted entry at POC delta 0 that is marked use_delta
};

void WritePtl(BitWriter& w, int max_sub_layers_minus1) {
  w.WriteBits(2, 0);
  w.WriteBits(1, 1);  // high tier
  w.WriteBits(5, 1);
  w.WriteBits(32, 0x60000000);
  w.WriteBits(32, 0xb0000000);
  w.WriteBits(16, 0);
  w.WriteBits(8, 153);
  for (int i = 0; i < max_sub_layers_minus1; ++i) {
    w.WriteFlag(i == 0);  // sub_layer_profile_present_flag
    w.WriteFlag(true);    // sub_layer_level_present_flag
  }
  for (int i = max_sub_layers_minus1; i < 8; ++i) w.WriteBits(2, 0);
  for (int i = 0; i < max_sub_layers_minus1; ++i) {
    if (i == 0) {
      w.WriteBits(8, 0x01);
      w.WriteBits(32, 0x60000000);
      w.WriteBits(32, 0xb0000000);
      w.WriteBits(16, 0);
    }
    w.WriteBits(8, 120);
  }
}

Bytes WithHeader(uint8_t type, const BitWriter& w) {
  Bytes nal = {static_cast<uint8_t>(type << 1), 0x01};
  const Bytes payload = RbspToEbsp(w.bytes());
  nal.insert(nal.end(), payload.begin(), payload.end());
  return nal;
}

Bytes BuildSps(const SynthSps& s) {
  constexpr int kSubLayersMinus1 = 2;
  BitWriter w;
  w.WriteBits(4, 0);
  w.WriteBits(3, kSubLayersMinus1);
  w.WriteFlag(true);
  WritePtl(w, kSubLayersMinus1);
  w.WriteUe(5);     // sps_seq_parameter_set_id
  w.WriteUe(1);     // chroma_format_idc
  w.WriteUe(1280);  // pic_width_in_luma_samples
  w.WriteUe(736);
  w.WriteFlag(true);  // conformance_window_flag
  w.WriteUe(2);       // left: 4 samples
  w.WriteUe(2);       // right
  w.WriteUe(0);
  w.WriteUe(8);  // bottom: 16 rows
  w.WriteUe(0);
  w.WriteUe(0);
  w.WriteUe(4);  // log2_max_pic_order_cnt_lsb_minus4: 8-bit POC LSBs
  w.WriteFlag(false);  // sub_layer_ordering_info_present_flag: only the highest
  w.WriteUe(5);
  w.WriteUe(2);
  w.WriteUe(0);
  for (uint32_t v : {0u, 3u, 0u, 3u, 1u, 1u}) w.WriteUe(v);
  w.WriteFlag(false);  // scaling_list_enabled_flag
  w.WriteFlag(true);   // amp
  w.WriteFlag(true);   // sao
  w.WriteFlag(true);   // pcm_enabled_flag
  w.WriteBits(4, 7);
  w.WriteBits(4, 7);
  w.WriteUe(0);
  w.WriteUe(1);
  w.WriteFlag(false);
  w.WriteUe(4);  // num_short_term_ref_pic_sets
  // Set 0, explicit: S0 = {-1, -3}, S1 = {+2}.
  w.WriteUe(2);
  w.WriteUe(1);
  w.WriteUe(0);
  w.WriteFlag(true);
  w.WriteUe(1);
  w.WriteFlag(true);
  w.WriteUe(1);
  w.WriteFlag(false);
  // Set 1, predicted from set 0 with deltaRps -1: 3 + 1 entries, all used.
  // Gives S0 = {-1, -2, -4}, S1 = {+1}.
  w.WriteFlag(true);
  w.WriteFlag(true);  // delta_rps_sign
  w.WriteUe(0);
  for (int j = 0; j < 4; ++j) w.WriteFlag(true);
  // Set 2, predicted from set 1 with deltaRps +2: 4 + 1 entries. Entry 1 lands on POC delta 0
  // (-2 + 2); it is unused, and in the tricky variant still marked use_delta, which the
  // derivation (7-61) drops, so the set has 4 pictures either way: S0 = {-2}, S1 = {1, 2, 3}.
  w.WriteFlag(true);
  w.WriteFlag(false);
  w.WriteUe(1);
  for (int j = 0; j < 5; ++j) {
    w.WriteFlag(j != 1);
    if (j == 1) w.WriteFlag(s.tricky_rps);
  }
  // Set 3, predicted from set 2: its 4 + 1 entries.
  w.WriteFlag(true);
  w.WriteFlag(true);
  w.WriteUe(0);
  for (int j = 0; j < 5; ++j) w.WriteFlag(true);
  w.WriteFlag(true);  // long_term_ref_pics_present_flag
  w.WriteUe(2);
  w.WriteBits(8, 0xa5);
  w.WriteFlag(true);
  w.WriteBits(8, 0x5a);
  w.WriteFlag(false);
  w.WriteFlag(true);  // sps_temporal_mvp_enabled_flag
  w.WriteFlag(true);
  w.WriteFlag(s.vui);
  if (s.vui) {
    w.WriteFlag(true);  // aspect_ratio_info_present_flag
    w.WriteBits(8, 14);  // 4:3
    w.WriteFlag(true);  // overscan
    w.WriteFlag(false);
    w.WriteFlag(false);  // video_signal_type_present_flag
    w.WriteFlag(false);  // chroma_loc
    w.WriteFlag(false);  // neutral_chroma_indication_flag
    w.WriteFlag(false);  // field_seq_flag
    w.WriteFlag(false);  // frame_field_info_present_flag
    w.WriteFlag(true);   // default_display_window_flag
    for (int i = 0; i < 4; ++i) w.WriteUe(8);
    if (s.truncate_vui) return WithHeader(33, w);
    w.WriteFlag(true);  // vui_timing_info_present_flag
    w.WriteBits(32, 1001);
    w.WriteBits(32, 30000);
    w.WriteFlag(false);  // vui_poc_proportional_to_timing_flag
    w.WriteFlag(false);  // vui_hrd_parameters_present_flag
    w.WriteFlag(false);  // bitstream_restriction_flag
  }
  w.WriteFlag(false);  // sps_extension_present_flag
  w.WriteTrailingBits();
  return WithHeader(33, w);
}

TEST(H265SpsTest, SyntheticReferenceSetsAndSubLayers) {
  for (bool tricky : {false, true}) {
    SynthSps s;
    s.tricky_rps = tricky;
    Result<H265Sps> sps = ParseH265Sps(BuildSps(s));
    ASSERT_TRUE(sps.ok()) << sps.status();
    EXPECT_EQ(sps->max_sub_layers, 3u);
    EXPECT_EQ(sps->ptl.tier_flag, 1);
    EXPECT_EQ(sps->ptl.level_idc, 153);
    EXPECT_EQ(H265CodecString(sps->ptl), "hvc1.1.6.H153.B0");
    EXPECT_EQ(sps->sps_id, 5u);
    EXPECT_EQ(sps->coded_width, 1280);
    EXPECT_EQ(sps->width, 1272);
    EXPECT_EQ(sps->height, 720);
    EXPECT_EQ(sps->vui.sar_width, 4);
    EXPECT_EQ(sps->vui.sar_height, 3);
    EXPECT_NEAR(sps->fps.value_or(0), 29.97, 0.001) << "tricky=" << tricky;
  }
}

TEST(H265SpsTest, VuiFailureKeepsSize) {
  SynthSps s;
  s.truncate_vui = true;
  Result<H265Sps> sps = ParseH265Sps(BuildSps(s));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_EQ(sps->width, 1272);
  EXPECT_EQ(sps->height, 720);
  EXPECT_FALSE(sps->fps.has_value());
  EXPECT_EQ(sps->time_scale, 0u);

  s = SynthSps();
  s.vui = false;
  sps = ParseH265Sps(BuildSps(s));
  ASSERT_TRUE(sps.ok()) << sps.status();
  EXPECT_FALSE(sps->vui_present);
  EXPECT_FALSE(sps->fps.has_value());
}

// A VPS with two sub-layers, layer sets and timing at 25 pictures per second.
Bytes BuildVps() {
  BitWriter w;
  w.WriteBits(4, 3);  // vps_video_parameter_set_id
  w.WriteBits(2, 3);
  w.WriteBits(6, 0);
  w.WriteBits(3, 1);  // vps_max_sub_layers_minus1
  w.WriteFlag(true);
  w.WriteBits(16, 0xffff);
  WritePtl(w, 1);
  w.WriteFlag(true);  // vps_sub_layer_ordering_info_present_flag: both sub-layers
  for (int i = 0; i < 6; ++i) w.WriteUe(2);
  w.WriteBits(6, 3);  // vps_max_layer_id
  w.WriteUe(2);       // vps_num_layer_sets_minus1: 2 sets of 4 flags
  w.WriteBits(8, 0x99);
  w.WriteFlag(true);  // vps_timing_info_present_flag
  w.WriteBits(32, 1);
  w.WriteBits(32, 25);
  w.WriteFlag(false);
  w.WriteUe(0);  // vps_num_hrd_parameters
  w.WriteFlag(false);
  w.WriteTrailingBits();
  return WithHeader(32, w);
}

TEST(H265VpsTest, SyntheticTimingAndLayerSets) {
  Result<H265Vps> vps = ParseH265Vps(BuildVps());
  ASSERT_TRUE(vps.ok()) << vps.status();
  EXPECT_EQ(vps->vps_id, 3u);
  EXPECT_EQ(vps->max_sub_layers, 2u);
  EXPECT_EQ(H265CodecString(vps->ptl), "hvc1.1.6.H153.B0");
  EXPECT_DOUBLE_EQ(vps->fps.value_or(0), 25.0);
}

TEST(H265StreamParamsTest, RateFromVpsWhenSpsHasNone) {
  SynthSps s;
  s.vui = false;
  const Bytes sps = BuildSps(s);
  auto params = MakeStreamParams(Codec::kH265, BuildVps(), sps, testdata::kPetsH265Pps);
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_EQ((*params)->width, 1272);
  EXPECT_EQ((*params)->codec_string, "hvc1.1.6.H153.B0");
  EXPECT_DOUBLE_EQ((*params)->fps.value_or(0), 25.0);
  // The SPS's own timing wins over the VPS's.
  params = MakeStreamParams(Codec::kH265, BuildVps(), BuildSps(SynthSps()), {});
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_NEAR((*params)->fps.value_or(0), 29.97, 0.001);
  // Without a VPS there is no rate at all.
  params = MakeStreamParams(Codec::kH265, {}, sps, {});
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_FALSE((*params)->fps.has_value());
}

TEST(H265SpsTest, EveryTruncationFailsCleanlyOrKeepsSize) {
  const std::vector<Bytes> inputs = {
      Bytes(std::begin(testdata::kPetsH265Sps), std::end(testdata::kPetsH265Sps)),
      testdata::FromHex(kX265Rext422Sps), testdata::FromHex(kX265ScalingListSps),
      BuildSps(SynthSps())};
  for (const Bytes& whole : inputs) {
    Result<H265Sps> full = ParseH265Sps(whole);
    ASSERT_TRUE(full.ok()) << full.status();
    for (size_t n = 0; n < whole.size(); ++n) {
      Result<H265Sps> sps = ParseH265Sps(ByteSpan(whole).first(n));
      if (sps.ok()) {
        EXPECT_EQ(sps->width, full->width) << n;
        EXPECT_EQ(sps->height, full->height) << n;
      } else {
        EXPECT_EQ(sps.status().code(), StatusCode::kInvalidArgument) << n;
        EXPECT_THAT(sps.status().message(), HasSubstr("H.265 SPS")) << n;
      }
    }
  }
}

TEST(H265VpsTest, EveryTruncationFailsCleanlyOrKeepsProfile) {
  const ByteSpan whole(testdata::kPetsH265Vps);
  for (size_t n = 0; n < whole.size(); ++n) {
    Result<H265Vps> vps = ParseH265Vps(whole.first(n));
    if (vps.ok()) {
      EXPECT_EQ(vps->ptl.level_idc, 120) << n;
    } else {
      EXPECT_THAT(vps.status().message(), HasSubstr("H.265 VPS")) << n;
    }
  }
  // The profile_tier_level ends at byte 2 + 3 + 12: anything shorter fails.
  EXPECT_FALSE(ParseH265Vps(whole.first(16)).ok());
}

TEST(H265SpsTest, Errors) {
  Result<H265Sps> sps = ParseH265Sps(testdata::kPetsH265Vps);
  ASSERT_FALSE(sps.ok());
  EXPECT_THAT(sps.status().message(), HasSubstr("type 32 is not 33"));
  const uint8_t header_only[] = {0x42};
  sps = ParseH265Sps(header_only);
  ASSERT_FALSE(sps.ok());
  EXPECT_THAT(sps.status().message(), HasSubstr("shorter than its 2-byte header"));
  // sps_max_sub_layers_minus1 = 7 is reserved.
  const uint8_t reserved[] = {0x42, 0x01, 0x0f, 0x01, 0x60};
  sps = ParseH265Sps(reserved);
  ASSERT_FALSE(sps.ok());
  EXPECT_THAT(sps.status().message(), HasSubstr("sps_max_sub_layers_minus1"));
  EXPECT_FALSE(ParseH265Vps(testdata::kPetsH265Sps).ok());
}

TEST(H265CodecStringTest, ProfileSpaceTierAndConstraintBytes) {
  H265ProfileTierLevel ptl;
  ptl.profile_space = 1;
  ptl.tier_flag = 1;
  ptl.profile_idc = 4;
  ptl.compatibility_flags = 0x80000001;  // flags 0 and 31
  ptl.constraint_flags = 0x000012000000;  // third byte only
  ptl.level_idc = 186;
  EXPECT_EQ(H265CodecString(ptl), "hvc1.A4.80000001.H186.0.0.12");
  ptl.profile_space = 3;
  ptl.constraint_flags = 0;
  EXPECT_EQ(H265CodecString(ptl), "hvc1.C4.80000001.H186");
}

}  // namespace
}  // namespace sightline::media
