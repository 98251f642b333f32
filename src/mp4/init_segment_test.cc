// WriteInitSegment and ParseInitSegment (fragment.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "media/stream_params.h"
#include "media/test_param_sets.h"
#include "mp4/fourcc.h"
#include "mp4/fragment.h"
#include "mp4/test_boxes.h"

namespace sightline::mp4 {
namespace {

using testing::FindBoxPath;
using ::testing::HasSubstr;
namespace testdata = media::testdata;

Bytes ToBytes(ByteSpan s) { return Bytes(s.begin(), s.end()); }

media::StreamParams Params(media::Codec codec, ByteSpan vps, ByteSpan sps, ByteSpan pps) {
  auto params = media::MakeStreamParams(codec, vps, sps, pps);
  EXPECT_TRUE(params.ok()) << params.status();
  return params.ok() ? **params : media::StreamParams{};
}

media::StreamParams H264_1080p() {
  return Params(media::Codec::kH264, {}, testdata::kPets1080pH264Sps, testdata::kPets1080pH264Pps);
}
media::StreamParams H265_1080p() {
  return Params(media::Codec::kH265, testdata::kPetsH265Vps, testdata::kPetsH265Sps,
                testdata::kPetsH265Pps);
}

TEST(Mp4InitSegmentTest, H264RoundTripsParameterSetsAndSize) {
  for (const media::StreamParams& params :
       {H264_1080p(),
        Params(media::Codec::kH264, {}, testdata::kPets360pH264Sps, testdata::kPets360pH264Pps)}) {
    const Bytes init = WriteInitSegment(params);
    Result<InitInfo> info = ParseInitSegment(init);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->codec, media::Codec::kH264);
    EXPECT_EQ(info->width, params.width);
    EXPECT_EQ(info->height, params.height);
    EXPECT_TRUE(info->vps.empty());
    EXPECT_EQ(info->sps, params.sps);
    EXPECT_EQ(info->pps, params.pps);
    EXPECT_EQ(info->length, init.size());
  }
}

TEST(Mp4InitSegmentTest, H265RoundTripsParameterSetsAndSize) {
  const media::StreamParams params = H265_1080p();
  const Bytes init = WriteInitSegment(params);
  Result<InitInfo> info = ParseInitSegment(init);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->codec, media::Codec::kH265);
  EXPECT_EQ(info->width, 1920);
  EXPECT_EQ(info->height, 1080);
  EXPECT_EQ(info->vps, ToBytes(testdata::kPetsH265Vps));
  EXPECT_EQ(info->sps, ToBytes(testdata::kPetsH265Sps));
  EXPECT_EQ(info->pps, ToBytes(testdata::kPetsH265Pps));
  EXPECT_EQ(info->length, init.size());
}

TEST(Mp4InitSegmentTest, AvcCTakesProfileLevelAndHighProfileFieldsFromTheSps) {
  const Bytes init = WriteInitSegment(H264_1080p());
  Result<Box> avcc = FindBoxPath(init, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC");
  ASSERT_TRUE(avcc.ok()) << avcc.status();
  const ByteSpan p = avcc->payload;
  const size_t sps_size = sizeof(testdata::kPets1080pH264Sps);
  const size_t pps_size = sizeof(testdata::kPets1080pH264Pps);
  ASSERT_EQ(p.size(), 6 + 2 + sps_size + 1 + 2 + pps_size + 4);
  // version 1, High (100), constraint flags 0, level 4.0, 4-byte lengths, one SPS.
  EXPECT_EQ(ToBytes(p.first(6)), (Bytes{1, 100, 0x00, 40, 0xff, 0xe1}));
  EXPECT_EQ(LoadBe16(&p[6]), sps_size);
  // High profile: 4:2:0, 8-bit luma and chroma, no SPS extensions (14496-15 5.3.3.1.2).
  EXPECT_EQ(ToBytes(p.last(4)), (Bytes{0xfd, 0xf8, 0xf8, 0x00}));

  // Main profile has no extension; its constraint_set1 flag is the compatibility byte.
  const Bytes main = WriteInitSegment(
      Params(media::Codec::kH264, {}, testdata::kPets360pH264Sps, testdata::kPets360pH264Pps));
  Result<Box> main_avcc = FindBoxPath(main, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC");
  ASSERT_TRUE(main_avcc.ok()) << main_avcc.status();
  EXPECT_EQ(ToBytes(main_avcc->payload.first(4)), (Bytes{1, 0x4d, 0x40, 0x16}));
  EXPECT_EQ(main_avcc->payload.size(), 6 + 2 + sizeof(testdata::kPets360pH264Sps) + 1 + 2 +
                                           sizeof(testdata::kPets360pH264Pps));
}

TEST(Mp4InitSegmentTest, HvcCTakesProfileTierLevelFromTheSps) {
  const Bytes init = WriteInitSegment(H265_1080p());
  Result<Box> hvcc = FindBoxPath(init, "moov/trak/mdia/minf/stbl/stsd/hvc1/hvcC");
  ASSERT_TRUE(hvcc.ok()) << hvcc.status();
  // The SPS's profile_tier_level with emulation prevention removed: Main, compatible with
  // Main and Main 10 (flags 1 and 2), progressive_source and frame_only_constraint (0x90),
  // level 120.
  const Bytes expected_fixed = {
      1,                                   // configurationVersion
      0x01,                                // profile_space 0, tier 0, profile_idc 1
      0x60, 0x00, 0x00, 0x00,              // compatibility flags
      0x90, 0x00, 0x00, 0x00, 0x00, 0x00,  // constraint flags
      120,                                 // level_idc
      0xf0, 0x00,                          // min_spatial_segmentation_idc 0
      0xfc,                                // parallelismType 0
      0xfd,                                // chroma_format_idc 1
      0xf8, 0xf8,                          // 8-bit luma and chroma
      0x00, 0x00,                          // avgFrameRate
      0x0f,                                // 1 temporal layer, nested, 4-byte lengths
      3,                                   // arrays: VPS, SPS, PPS
  };
  ASSERT_GT(hvcc->payload.size(), expected_fixed.size());
  EXPECT_EQ(ToBytes(hvcc->payload.first(expected_fixed.size())), expected_fixed);
  // The first array: complete, VPS (type 32), one NAL unit.
  EXPECT_EQ(ToBytes(hvcc->payload.subspan(expected_fixed.size(), 3)), (Bytes{0xa0, 0, 1}));
}

TEST(Mp4InitSegmentTest, MovieIsFragmentedVideoTrackOneAt90kHz) {
  const Bytes init = WriteInitSegment(H264_1080p());
  Result<Box> ftyp = FindBoxPath(init, "ftyp");
  ASSERT_TRUE(ftyp.ok()) << ftyp.status();
  EXPECT_EQ(AsString(ftyp->payload), std::string_view("iso6\0\0\0\0iso6cmfcmp41", 20));

  Result<Box> mdhd = FindBoxPath(init, "moov/trak/mdia/mdhd");
  ASSERT_TRUE(mdhd.ok()) << mdhd.status();
  EXPECT_EQ(LoadBe32(&mdhd->payload[12]), 90000u);  // version 0: after version and two times
  Result<Box> hdlr = FindBoxPath(init, "moov/trak/mdia/hdlr");
  ASSERT_TRUE(hdlr.ok());
  EXPECT_EQ(LoadBe32(&hdlr->payload[8]), FourCc("vide"));
  Result<Box> tkhd = FindBoxPath(init, "moov/trak/tkhd");
  ASSERT_TRUE(tkhd.ok());
  EXPECT_EQ(LoadBe32(&tkhd->payload[0]), 3u);  // version 0, enabled | in movie
  EXPECT_EQ(LoadBe32(&tkhd->payload[76]), 1920u << 16);
  EXPECT_EQ(LoadBe32(&tkhd->payload[80]), 1080u << 16);
  Result<Box> trex = FindBoxPath(init, "moov/mvex/trex");
  ASSERT_TRUE(trex.ok()) << trex.status();
  EXPECT_EQ(LoadBe32(&trex->payload[4]), 1u);  // track_ID
  EXPECT_EQ(LoadBe32(&trex->payload[8]), 1u);  // default_sample_description_index
  EXPECT_TRUE(FindBoxPath(init, "moov/trak/mdia/minf/stbl/stco").ok());
  EXPECT_TRUE(FindBoxPath(init, "moov/trak/mdia/minf/dinf/dref").ok());
}

TEST(Mp4InitSegmentTest, LengthStopsAtMoovWhenFragmentsFollow) {
  Bytes file = WriteInitSegment(H265_1080p());
  const size_t init_size = file.size();
  const Bytes sample = {0, 0, 0, 1, 0x26};
  const Sample s{sample, 9000, true};
  AppendBytes(file, WriteFragment({}, std::span(&s, 1)));
  Result<InitInfo> info = ParseInitSegment(file);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->length, init_size);
}

TEST(Mp4InitSegmentTest, ErrorsNameTheBoxPath) {
  const Bytes init = WriteInitSegment(H264_1080p());

  EXPECT_THAT(ParseInitSegment(ByteSpan(init).subspan(0, 20)).status().message(),
              HasSubstr("init segment"));
  EXPECT_THAT(ParseInitSegment(ByteSpan(init).first(init.size() - 1)).status().message(),
              HasSubstr("init segment: moov at offset"));

  Result<Box> moov = FindBoxPath(init, "moov");
  ASSERT_TRUE(moov.ok());
  EXPECT_THAT(ParseInitSegment(moov->bytes).status().message(), HasSubstr("not ftyp"));
  EXPECT_THAT(ParseInitSegment(ByteSpan(init).first(moov->offset)).status().message(),
              HasSubstr("no moov"));

  Result<Box> entry = FindBoxPath(init, "moov/trak/mdia/minf/stbl/stsd/avc1");
  ASSERT_TRUE(entry.ok());
  Bytes mp4v = init;
  StoreBe32(&mp4v[entry->offset + 4], FourCc("mp4v"));
  Result<InitInfo> other = ParseInitSegment(mp4v);
  EXPECT_EQ(other.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(other.status().message(),
              HasSubstr("moov/trak/mdia/minf/stbl/stsd: sample entry mp4v is not H.264"));

  Result<Box> avcc = FindBoxPath(init, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC");
  ASSERT_TRUE(avcc.ok());
  Bytes two_byte_lengths = init;
  two_byte_lengths[avcc->payload_offset() + 4] = 0xfd;
  EXPECT_THAT(ParseInitSegment(two_byte_lengths).status().message(),
              HasSubstr("stsd/avc1: avcC: lengthSizeMinusOne 1"));

  Bytes long_sps = init;  // SPS length pointing past the record
  StoreBe16(&long_sps[avcc->payload_offset() + 6], 0x7fff);
  EXPECT_THAT(ParseInitSegment(long_sps).status().message(),
              HasSubstr("avcC: sequence parameter set 0 runs past the record"));

  Bytes no_stbl = init;
  Result<Box> stbl = FindBoxPath(init, "moov/trak/mdia/minf/stbl");
  ASSERT_TRUE(stbl.ok());
  StoreBe32(&no_stbl[stbl->offset + 4], FourCc("xxxx"));
  EXPECT_THAT(ParseInitSegment(no_stbl).status().message(),
              HasSubstr("moov/trak/mdia/minf: no stbl box"));
}

}  // namespace
}  // namespace sightline::mp4
