#include "mp4/progressive.h"

#include <gtest/gtest.h>

#include <limits>

#include "media/stream_params.h"
#include "media/test_param_sets.h"
#include "mp4/fourcc.h"
#include "mp4/fragment.h"
#include "mp4/test_boxes.h"

namespace sightline::mp4 {
namespace {

using testing::FindBoxPath;
namespace testdata = media::testdata;

constexpr char kStbl[] = "moov/trak/mdia/minf/stbl/";

media::StreamParams H264Params() {
  auto params = media::MakeStreamParams(media::Codec::kH264, {}, testdata::kPets360pH264Sps,
                                        testdata::kPets360pH264Pps);
  EXPECT_TRUE(params.ok()) << params.status();
  return params.ok() ? **params : media::StreamParams{};
}

std::vector<uint32_t> U32s(ByteSpan s) {
  std::vector<uint32_t> v;
  for (size_t i = 0; i + 4 <= s.size(); i += 4) v.push_back(LoadBe32(&s[i]));
  return v;
}

// 25 samples at 10 fps with one late frame, a keyframe every 10.
std::vector<SampleEntry> Samples() {
  std::vector<SampleEntry> samples;
  for (uint32_t i = 0; i < 25; ++i) {
    samples.push_back({1000 + i, i == 12 ? 9900u : 9000u, i % 10 == 0});
  }
  return samples;
}

// 2023-11-14T22:13:20.5Z.
constexpr int64_t kCreationUs = 1700000000500000;
constexpr uint32_t kCreation1904 = 1700000000u + 2082844800u;

TEST(Mp4ProgressiveTest, SampleTablesDescribeTheSamplesInOneChunk) {
  const std::vector<SampleEntry> samples = Samples();
  const Bytes header = WriteProgressiveHeader(H264Params(), samples, kCreationUs);

  Result<Box> stts = FindBoxPath(header, std::string(kStbl) + "stts");
  ASSERT_TRUE(stts.ok()) << stts.status();
  EXPECT_EQ(U32s(stts->payload), (std::vector<uint32_t>{0, 3, 12, 9000, 1, 9900, 12, 9000}));

  Result<Box> stss = FindBoxPath(header, std::string(kStbl) + "stss");
  ASSERT_TRUE(stss.ok()) << stss.status();
  EXPECT_EQ(U32s(stss->payload), (std::vector<uint32_t>{0, 3, 1, 11, 21}));

  Result<Box> stsz = FindBoxPath(header, std::string(kStbl) + "stsz");
  ASSERT_TRUE(stsz.ok()) << stsz.status();
  const std::vector<uint32_t> stsz_fields = U32s(stsz->payload);
  ASSERT_EQ(stsz_fields.size(), 3u + samples.size());
  EXPECT_EQ(stsz_fields[1], 0u);
  EXPECT_EQ(stsz_fields[2], samples.size());
  for (size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(stsz_fields[3 + i], samples[i].size);

  Result<Box> stsc = FindBoxPath(header, std::string(kStbl) + "stsc");
  ASSERT_TRUE(stsc.ok());
  EXPECT_EQ(U32s(stsc->payload), (std::vector<uint32_t>{0, 1, 1, 25, 1}));

  // One chunk that starts right after the header, where the caller writes the samples.
  Result<Box> stco = FindBoxPath(header, std::string(kStbl) + "stco");
  ASSERT_TRUE(stco.ok()) << stco.status();
  EXPECT_EQ(U32s(stco->payload),
            (std::vector<uint32_t>{0, 1, static_cast<uint32_t>(header.size())}));
  EXPECT_FALSE(FindBoxPath(header, std::string(kStbl) + "co64").ok());

  uint64_t payload = 0;
  for (const SampleEntry& s : samples) payload += s.size;
  const ByteSpan mdat = ByteSpan(header).last(8);
  EXPECT_EQ(LoadBe32(&mdat[0]), payload + 8);
  EXPECT_EQ(LoadBe32(&mdat[4]), FourCc("mdat"));
}

TEST(Mp4ProgressiveTest, DurationsAndCreationTime) {
  const Bytes header = WriteProgressiveHeader(H264Params(), Samples(), kCreationUs);
  const uint32_t duration = 24 * 9000 + 9900;

  Result<Box> ftyp = FindBoxPath(header, "ftyp");
  ASSERT_TRUE(ftyp.ok());
  EXPECT_EQ(AsString(ftyp->payload), std::string_view("isom\0\0\0\0isomiso2avc1mp41", 24));

  Result<Box> mvhd = FindBoxPath(header, "moov/mvhd");
  ASSERT_TRUE(mvhd.ok());
  EXPECT_EQ(U32s(mvhd->payload.first(20)),
            (std::vector<uint32_t>{0, kCreation1904, kCreation1904, 90000, duration}));
  Result<Box> tkhd = FindBoxPath(header, "moov/trak/tkhd");
  ASSERT_TRUE(tkhd.ok());
  EXPECT_EQ(U32s(tkhd->payload.first(24)),
            (std::vector<uint32_t>{3, kCreation1904, kCreation1904, 1, 0, duration}));
  Result<Box> mdhd = FindBoxPath(header, "moov/trak/mdia/mdhd");
  ASSERT_TRUE(mdhd.ok());
  EXPECT_EQ(U32s(mdhd->payload.first(20)),
            (std::vector<uint32_t>{0, kCreation1904, kCreation1904, 90000, duration}));

  // The moov is the same one the fragment reader understands.
  Result<InitInfo> info = ParseInitSegment(header);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 640);
  EXPECT_EQ(info->height, 360);
  EXPECT_EQ(info->length, header.size() - 8);
}

TEST(Mp4ProgressiveTest, AllKeyframesNeedNoStss) {
  std::vector<SampleEntry> samples = Samples();
  for (SampleEntry& s : samples) s.keyframe = true;
  const Bytes header = WriteProgressiveHeader(H264Params(), samples, kCreationUs);
  EXPECT_TRUE(FindBoxPath(header, std::string(kStbl) + "stsz").ok());
  EXPECT_EQ(FindBoxPath(header, std::string(kStbl) + "stss").status().code(),
            StatusCode::kNotFound);
}

TEST(Mp4ProgressiveTest, FilesPast4GiBGetCo64AndALargesizeMdat) {
  // Three 2 GiB samples: only the header is built, the sizes need not exist.
  const std::vector<SampleEntry> samples(3, SampleEntry{0x80000000u, 9000, true});
  const Bytes header = WriteProgressiveHeader(H264Params(), samples, kCreationUs);
  EXPECT_FALSE(FindBoxPath(header, std::string(kStbl) + "stco").ok());
  Result<Box> co64 = FindBoxPath(header, std::string(kStbl) + "co64");
  ASSERT_TRUE(co64.ok());
  ASSERT_EQ(co64->payload.size(), 16u);
  EXPECT_EQ(LoadBe32(&co64->payload[4]), 1u);
  EXPECT_EQ(LoadBe64(&co64->payload[8]), header.size());

  const ByteSpan mdat = ByteSpan(header).last(16);
  EXPECT_EQ(LoadBe32(&mdat[0]), 1u);
  EXPECT_EQ(LoadBe32(&mdat[4]), FourCc("mdat"));
  EXPECT_EQ(LoadBe64(&mdat[8]), 3 * uint64_t{0x80000000} + 16);

  // Just under the limit the 32-bit table still serves.
  const uint32_t header_estimate = 2000;
  const std::vector<SampleEntry> smaller(
      1, SampleEntry{std::numeric_limits<uint32_t>::max() - header_estimate, 9000, true});
  const Bytes small_header = WriteProgressiveHeader(H264Params(), smaller, kCreationUs);
  ASSERT_LT(small_header.size(), header_estimate);
  EXPECT_TRUE(FindBoxPath(small_header, std::string(kStbl) + "stco").ok());
}

TEST(Mp4ProgressiveTest, LongDurationsUseVersion1Times) {
  const std::vector<SampleEntry> samples(2, SampleEntry{10, 0xffffffffu, true});
  const Bytes header = WriteProgressiveHeader(H264Params(), samples, kCreationUs);
  Result<Box> mvhd = FindBoxPath(header, "moov/mvhd");
  ASSERT_TRUE(mvhd.ok());
  EXPECT_EQ(mvhd->payload[0], 1);
  EXPECT_EQ(LoadBe32(&mvhd->payload[20]), 90000u);
  EXPECT_EQ(LoadBe64(&mvhd->payload[24]), 2 * uint64_t{0xffffffff});
  Result<Box> tkhd = FindBoxPath(header, "moov/trak/tkhd");
  ASSERT_TRUE(tkhd.ok());
  EXPECT_EQ(tkhd->payload[0], 1);
  EXPECT_EQ(LoadBe64(&tkhd->payload[28]), 2 * uint64_t{0xffffffff});
  Result<Box> stts = FindBoxPath(header, std::string(kStbl) + "stts");
  ASSERT_TRUE(stts.ok());
  EXPECT_EQ(U32s(stts->payload), (std::vector<uint32_t>{0, 1, 2, 0xffffffff}));
}

TEST(Mp4ProgressiveTest, NoSamplesMakeAnEmptyButValidMovie) {
  const Bytes header = WriteProgressiveHeader(H264Params(), {}, kCreationUs);
  Result<Box> stco = FindBoxPath(header, std::string(kStbl) + "stco");
  ASSERT_TRUE(stco.ok());
  EXPECT_EQ(U32s(stco->payload), (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(LoadBe32(&header[header.size() - 8]), 8u);
  EXPECT_TRUE(ParseInitSegment(header).ok());
}

}  // namespace
}  // namespace sightline::mp4
