#include "media/access_unit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>

#include "media/bit_writer.h"
#include "media/nal.h"
#include "media/test_param_sets.h"

namespace sightline::media {
namespace {

Bytes ToBytes(ByteSpan s) { return Bytes(s.begin(), s.end()); }

// An H.264 slice NAL unit: header byte, then a slice header starting with first_mb_in_slice
// and slice_type, and some filler payload.
Bytes H264Slice(uint8_t header, uint32_t first_mb, uint32_t slice_type) {
  BitWriter w;
  w.WriteUe(first_mb);
  w.WriteUe(slice_type);
  w.WriteUe(0);  // pic_parameter_set_id
  w.WriteBits(32, 0x00000001);  // zeros that need emulation prevention
  w.WriteBits(16, 0xbeef);
  w.WriteTrailingBits();
  Bytes nal = {header};
  const Bytes ebsp = RbspToEbsp(w.bytes());
  nal.insert(nal.end(), ebsp.begin(), ebsp.end());
  return nal;
}

// An H.265 slice segment: 2-byte header, first_slice_segment_in_pic_flag, then filler.
Bytes H265Slice(int type, bool first_in_pic) {
  BitWriter w;
  w.WriteFlag(first_in_pic);
  if (type >= 16 && type <= 23) w.WriteFlag(false);  // no_output_of_prior_pics_flag
  w.WriteUe(0);                                       // slice_pic_parameter_set_id
  if (!first_in_pic) w.WriteBits(10, 37);             // slice_segment_address
  w.WriteBits(24, 0x000002);
  w.WriteTrailingBits();
  Bytes nal = {static_cast<uint8_t>(type << 1), 0x01};
  const Bytes ebsp = RbspToEbsp(w.bytes());
  nal.insert(nal.end(), ebsp.begin(), ebsp.end());
  return nal;
}

// Annex B framing alternating 4- and 3-byte start codes, with trailing_zero_8bits after some.
Bytes AnnexB(const std::vector<Bytes>& nals) {
  Bytes out;
  for (size_t i = 0; i < nals.size(); ++i) {
    if (i % 2 == 0) out.push_back(0);
    out.insert(out.end(), {0, 0, 1});
    out.insert(out.end(), nals[i].begin(), nals[i].end());
    if (i % 3 == 2) out.insert(out.end(), {0, 0});
  }
  return out;
}

Bytes LengthPrefixed(std::initializer_list<const Bytes*> nals) {
  Bytes out;
  for (const Bytes* nal : nals) AppendLengthPrefixed(*nal, out);
  return out;
}

TEST(AccessUnitTest, FirstSliceDetection) {
  EXPECT_TRUE(IsFirstSliceOfPicture(Codec::kH264, H264Slice(0x65, 0, 7)));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH264, H264Slice(0x65, 1, 7)));
  EXPECT_TRUE(IsFirstSliceOfPicture(Codec::kH264, H264Slice(0x41, 0, 5)));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH264, H264Slice(0x41, 8160, 5)));
  EXPECT_TRUE(IsFirstSliceOfPicture(Codec::kH264, H264Slice(0x22, 0, 5)));  // partition A
  // Partitions B and C start with slice_id, not first_mb_in_slice.
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH264, H264Slice(0x23, 0, 5)));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH264, H264Slice(0x24, 0, 5)));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH264, testdata::kPets1080pH264Sps));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH264, Bytes{0x65}));
  EXPECT_TRUE(IsFirstSliceOfPicture(Codec::kH265, H265Slice(19, true)));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH265, H265Slice(19, false)));
  EXPECT_TRUE(IsFirstSliceOfPicture(Codec::kH265, H265Slice(1, true)));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH265, testdata::kPetsH265Sps));
  EXPECT_FALSE(IsFirstSliceOfPicture(Codec::kH265, Bytes{0x26, 0x01}));
}

TEST(AccessUnitTest, StartsAccessUnit) {
  EXPECT_TRUE(StartsAccessUnit(Codec::kH264, testdata::kPets1080pH264Sps));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH264, testdata::kPets1080pH264Pps));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH264, Bytes{0x09, 0xf0}));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH264, Bytes{0x06, 0x05, 0x01, 0x80}));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH264, Bytes{0x0e, 0x80}));  // prefix NAL unit
  EXPECT_FALSE(StartsAccessUnit(Codec::kH264, Bytes{0x0a}));       // end of sequence
  EXPECT_FALSE(StartsAccessUnit(Codec::kH264, Bytes{0x0c, 0xff}));  // filler
  EXPECT_FALSE(StartsAccessUnit(Codec::kH264, H264Slice(0x41, 3, 5)));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH264, H264Slice(0x41, 0, 5)));
  EXPECT_FALSE(StartsAccessUnit(Codec::kH264, ByteSpan()));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH265, testdata::kPetsH265Vps));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH265, testdata::kPetsH265Sps));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH265, testdata::kPetsH265Pps));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH265, Bytes{0x46, 0x01, 0x50}));  // AUD
  EXPECT_TRUE(StartsAccessUnit(Codec::kH265, Bytes{0x4e, 0x01, 0x05}));  // prefix SEI
  EXPECT_FALSE(StartsAccessUnit(Codec::kH265, Bytes{0x50, 0x01, 0x05}));  // suffix SEI
  EXPECT_FALSE(StartsAccessUnit(Codec::kH265, Bytes{0x48, 0x01}));        // end of sequence
  EXPECT_FALSE(StartsAccessUnit(Codec::kH265, H265Slice(1, false)));
  EXPECT_TRUE(StartsAccessUnit(Codec::kH265, H265Slice(1, true)));
}

TEST(AccessUnitTest, SplitsH264Stream) {
  const Bytes aud = {0x09, 0xf0};
  const Bytes sps = ToBytes(testdata::kPets1080pH264Sps);
  const Bytes pps = ToBytes(testdata::kPets1080pH264Pps);
  const Bytes sei = {0x06, 0x05, 0x02, 0xaa, 0xbb, 0x80};
  const Bytes idr0 = H264Slice(0x65, 0, 7);
  const Bytes idr1 = H264Slice(0x65, 4080, 7);  // second slice of the same picture
  const Bytes p0 = H264Slice(0x41, 0, 5);
  const Bytes p1 = H264Slice(0x41, 2040, 5);
  const Bytes p2 = H264Slice(0x41, 0, 5);
  const Bytes idr2 = H264Slice(0x65, 0, 7);
  const Bytes p3 = H264Slice(0x01, 0, 5);  // non-reference
  const Bytes end_of_seq = {0x0a};
  const Bytes stream = AnnexB({aud, sps, pps, sei, idr0, idr1,        // unit 0
                               p0, p1,                                // unit 1
                               sei, p2,                               // unit 2
                               aud, sps, pps, idr2,                   // unit 3
                               p3, end_of_seq,                        // unit 4
                               sps});  // no picture follows: dropped
  const std::vector<AnnexBAccessUnit> units = SplitAnnexBAccessUnits(Codec::kH264, stream);
  ASSERT_EQ(units.size(), 5u);
  EXPECT_EQ(units[0].data, LengthPrefixed({&aud, &sps, &pps, &sei, &idr0, &idr1}));
  EXPECT_TRUE(units[0].keyframe);
  EXPECT_EQ(units[1].data, LengthPrefixed({&p0, &p1}));
  EXPECT_FALSE(units[1].keyframe);
  EXPECT_EQ(units[2].data, LengthPrefixed({&sei, &p2}));
  EXPECT_FALSE(units[2].keyframe);
  EXPECT_EQ(units[3].data, LengthPrefixed({&aud, &sps, &pps, &idr2}));
  EXPECT_TRUE(units[3].keyframe);
  EXPECT_EQ(units[4].data, LengthPrefixed({&p3, &end_of_seq}));
  EXPECT_FALSE(units[4].keyframe);
}

TEST(AccessUnitTest, SplitsH265Stream) {
  const Bytes aud = {0x46, 0x01, 0x50};
  const Bytes vps = ToBytes(testdata::kPetsH265Vps);
  const Bytes sps = ToBytes(testdata::kPetsH265Sps);
  const Bytes pps = ToBytes(testdata::kPetsH265Pps);
  const Bytes prefix_sei = {0x4e, 0x01, 0x05, 0x01, 0xaa, 0x80};
  const Bytes suffix_sei = {0x50, 0x01, 0x84, 0x01, 0xbb, 0x80};
  const Bytes idr0 = H265Slice(19, true);
  const Bytes idr1 = H265Slice(19, false);
  const Bytes trail0 = H265Slice(1, true);
  const Bytes trail1 = H265Slice(1, false);
  const Bytes cra = H265Slice(21, true);
  const Bytes trail2 = H265Slice(0, true);
  const Bytes end_of_seq = {0x48, 0x01};
  const Bytes stream = AnnexB({aud, vps, sps, pps, prefix_sei, idr0, idr1, suffix_sei,  // unit 0
                               trail0, trail1,                                        // unit 1
                               vps, sps, pps, cra,                                    // unit 2
                               trail2, end_of_seq});                                  // unit 3
  const std::vector<AnnexBAccessUnit> units = SplitAnnexBAccessUnits(Codec::kH265, stream);
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[0].data,
            LengthPrefixed({&aud, &vps, &sps, &pps, &prefix_sei, &idr0, &idr1, &suffix_sei}));
  EXPECT_TRUE(units[0].keyframe);
  EXPECT_EQ(units[1].data, LengthPrefixed({&trail0, &trail1}));
  EXPECT_FALSE(units[1].keyframe);
  EXPECT_EQ(units[2].data, LengthPrefixed({&vps, &sps, &pps, &cra}));
  EXPECT_TRUE(units[2].keyframe);  // CRA is an IRAP picture
  EXPECT_EQ(units[3].data, LengthPrefixed({&trail2, &end_of_seq}));
  EXPECT_FALSE(units[3].keyframe);
}

TEST(AccessUnitTest, StreamsWithoutPictures) {
  EXPECT_TRUE(SplitAnnexBAccessUnits(Codec::kH264, Bytes{}).empty());
  const Bytes sps = ToBytes(testdata::kPets1080pH264Sps);
  const Bytes pps = ToBytes(testdata::kPets1080pH264Pps);
  EXPECT_TRUE(SplitAnnexBAccessUnits(Codec::kH264, AnnexB({sps, pps})).empty());
  // Slices whose first_mb_in_slice is never 0 (a stream cut mid-picture) stay one unit.
  const Bytes a = H264Slice(0x41, 10, 5);
  const Bytes b = H264Slice(0x41, 20, 5);
  const std::vector<AnnexBAccessUnit> units =
      SplitAnnexBAccessUnits(Codec::kH264, AnnexB({a, b}));
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].data, LengthPrefixed({&a, &b}));
}

}  // namespace
}  // namespace sightline::media
