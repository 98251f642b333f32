// WriteFragment, ScanFragments and ParseFragmentSamples (fragment.h).

#include "mp4/fragment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/crc32c.h"
#include "mp4/fourcc.h"
#include "mp4/fragment_format.h"
#include "mp4/test_boxes.h"

namespace sightline::mp4 {
namespace {

using testing::FindBoxPath;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A GOP of made-up samples of varied sizes: data only has to round-trip.
struct Gop {
  std::vector<Bytes> data;
  std::vector<Sample> samples;
};

Gop MakeGop(int count, uint8_t seed) {
  Gop gop;
  gop.data.resize(count);
  for (int i = 0; i < count; ++i) {
    Bytes& d = gop.data[i];
    d.resize(4 + 10 + 37 * ((i + seed) % 7) + (i == 0 ? 500 : 0));
    StoreBe32(d.data(), static_cast<uint32_t>(d.size() - 4));
    for (size_t j = 4; j < d.size(); ++j) d[j] = static_cast<uint8_t>(seed + i * 31 + j);
  }
  for (int i = 0; i < count; ++i) {
    gop.samples.push_back({gop.data[i], static_cast<uint32_t>(9000 + (i % 3) * 10), i == 0});
  }
  return gop;
}

constexpr int64_t kWallTimeUs = 1700000000123456;

struct TwoFragments {
  Gop a = MakeGop(5, 1);
  Gop b = MakeGop(3, 2);
  FragmentHeader ha{1, 0, kWallTimeUs};
  FragmentHeader hb{2, 0, 0};
  Bytes fa, fb, file;
  TwoFragments() {
    for (const Sample& s : a.samples) hb.base_decode_time_90k += s.duration_90k;
    hb.wall_time_us = kWallTimeUs + hb.base_decode_time_90k * 100 / 9;
    fa = WriteFragment(ha, a.samples);
    fb = WriteFragment(hb, b.samples);
    file = fa;
    AppendBytes(file, fb);
  }
};

TEST(Mp4FragmentTest, ScanAndSamplesRoundTrip) {
  TwoFragments t;
  constexpr uint64_t kOffset = 1000;  // where the bytes sit in the file
  const ScanResult scan = ScanFragments(t.file, kOffset);
  ASSERT_TRUE(scan.stopped.ok()) << scan.stopped;
  EXPECT_EQ(scan.valid_end, kOffset + t.file.size());
  ASSERT_EQ(scan.fragments.size(), 2u);

  const struct {
    const Gop& gop;
    const FragmentHeader& header;
    uint64_t offset;
    size_t length;
  } want[] = {{t.a, t.ha, kOffset, t.fa.size()}, {t.b, t.hb, kOffset + t.fa.size(), t.fb.size()}};
  for (int f = 0; f < 2; ++f) {
    SCOPED_TRACE(f);
    const FragmentInfo& info = scan.fragments[f];
    const Gop& gop = want[f].gop;
    EXPECT_EQ(info.offset, want[f].offset);
    EXPECT_EQ(info.length, want[f].length);
    EXPECT_EQ(info.sequence, want[f].header.sequence);
    EXPECT_EQ(info.base_decode_time_90k, want[f].header.base_decode_time_90k);
    EXPECT_EQ(info.wall_time_us, want[f].header.wall_time_us);
    EXPECT_EQ(info.sample_count, gop.samples.size());
    EXPECT_TRUE(info.starts_with_keyframe);
    int64_t duration = 0;
    for (const Sample& s : gop.samples) duration += s.duration_90k;
    EXPECT_EQ(info.duration_90k, duration);

    const ByteSpan fragment = ByteSpan(t.file).subspan(info.offset - kOffset, info.length);
    Result<std::vector<SampleInfo>> samples = ParseFragmentSamples(fragment, info.offset);
    ASSERT_TRUE(samples.ok()) << samples.status();
    ASSERT_EQ(samples->size(), gop.samples.size());
    EXPECT_EQ((*samples)[0].offset, info.mdat_offset);
    int64_t decode_time = info.base_decode_time_90k;
    for (size_t i = 0; i < gop.samples.size(); ++i) {
      const SampleInfo& s = (*samples)[i];
      EXPECT_EQ(s.size, gop.data[i].size());
      EXPECT_EQ(s.duration_90k, gop.samples[i].duration_90k);
      EXPECT_EQ(s.keyframe, gop.samples[i].keyframe);
      EXPECT_EQ(s.decode_time_90k, decode_time);
      decode_time += s.duration_90k;
      ASSERT_LE(s.offset - kOffset + s.size, t.file.size());
      EXPECT_EQ(Bytes(t.file.begin() + (s.offset - kOffset),
                      t.file.begin() + (s.offset - kOffset + s.size)),
                gop.data[i]);
    }
  }
}

TEST(Mp4FragmentTest, LayoutIsPrftMoofMdatIntegrityBox) {
  TwoFragments t;
  BoxIterator it(t.fa, 0);
  std::vector<uint32_t> types;
  while (!it.done()) {
    Result<Box> box = it.Next();
    ASSERT_TRUE(box.ok()) << box.status();
    types.push_back(box->type);
  }
  EXPECT_EQ(types, (std::vector<uint32_t>{FourCc("prft"), FourCc("moof"), FourCc("mdat"),
                                          FourCc("free")}));
  Result<Box> prft = FindBoxPath(t.fa, "prft");
  ASSERT_TRUE(prft.ok());
  EXPECT_EQ(prft->bytes.size(), 32u);
  EXPECT_EQ(prft->payload[0], 1);  // version 1
  EXPECT_EQ(LoadBe32(&prft->payload[4]), 1u);
  EXPECT_EQ(LoadBe32(&prft->payload[8]), 1700000000u + 2208988800u);  // NTP seconds

  Result<Box> tfhd = FindBoxPath(t.fa, "moof/traf/tfhd");
  ASSERT_TRUE(tfhd.ok());
  EXPECT_EQ(LoadBe32(&tfhd->payload[0]), 0x020000u);
  Result<Box> trun = FindBoxPath(t.fa, "moof/traf/trun");
  ASSERT_TRUE(trun.ok());
  EXPECT_EQ(LoadBe32(&trun->payload[0]), 0x000701u);
  EXPECT_EQ(LoadBe32(&trun->payload[20]), 0x02000000u);  // first sample: keyframe
  EXPECT_EQ(LoadBe32(&trun->payload[32]), 0x01010000u);  // second: depends on others

  // The integrity box: "slck", version 0, CRC32C of everything before it.
  const ByteSpan tail = ByteSpan(t.fa).last(20);
  EXPECT_EQ(AsString(tail.subspan(4, 12)), std::string_view("freeslck\0\0\0\0", 12));
  EXPECT_EQ(LoadBe32(&tail[16]), Crc32c(ByteSpan(t.fa).first(t.fa.size() - 20)));
}

// The live view's fragment is the stored one without prft and the integrity box: the same
// moof + mdat bytes.
TEST(Mp4FragmentTest, MediaFragmentIsTheStoredFragmentsMoofAndMdat) {
  TwoFragments t;
  const Bytes media = WriteMediaFragment(t.hb.sequence, t.hb.base_decode_time_90k, t.b.samples);
  const Bytes want(t.fb.begin() + kPrftBytes, t.fb.end() - kIntegrityBoxBytes);
  EXPECT_EQ(media, want);
  Result<Box> moof = FindBoxPath(media, "moof");
  ASSERT_TRUE(moof.ok()) << moof.status();
  EXPECT_EQ(moof->bytes.data(), media.data());
}

TEST(Mp4FragmentTest, EveryTruncationKeepsExactlyTheCompleteFragments) {
  TwoFragments t;
  for (size_t cut = 0; cut <= t.file.size(); ++cut) {
    const ScanResult scan = ScanFragments(ByteSpan(t.file).first(cut), 0);
    const size_t complete = cut >= t.file.size() ? 2 : cut >= t.fa.size() ? 1 : 0;
    const size_t end = complete == 2 ? t.file.size() : complete == 1 ? t.fa.size() : 0;
    ASSERT_EQ(scan.fragments.size(), complete) << "cut at " << cut;
    ASSERT_EQ(scan.valid_end, end) << "cut at " << cut;
    if (cut == end) {
      EXPECT_TRUE(scan.stopped.ok()) << "cut at " << cut << ": " << scan.stopped;
    } else {
      EXPECT_EQ(scan.stopped.code(), StatusCode::kDataLoss) << "cut at " << cut;
      EXPECT_THAT(scan.stopped.message(),
                  StartsWith("torn fragment at offset " + std::to_string(end) + ": "))
          << "cut at " << cut;
    }
  }
}

TEST(Mp4FragmentTest, FlippedPayloadByteIsCaughtOnlyByTheCrc) {
  TwoFragments t;
  const ScanResult good = ScanFragments(t.file, 0);
  ASSERT_EQ(good.fragments.size(), 2u);
  const FragmentInfo& second = good.fragments[1];
  const uint64_t mdat_end = second.offset + second.length - 20;
  for (uint64_t i = second.mdat_offset; i < mdat_end; ++i) {
    Bytes damaged = t.file;
    damaged[i] ^= 0x10;
    const ScanResult checked = ScanFragments(damaged, 0, /*check_crc=*/true);
    ASSERT_EQ(checked.fragments.size(), 1u) << "byte " << i;
    EXPECT_EQ(checked.valid_end, second.offset);
    EXPECT_EQ(checked.stopped.code(), StatusCode::kDataLoss);
    EXPECT_THAT(
        checked.stopped.message(),
        HasSubstr("fragment at offset " + std::to_string(second.offset) + ": CRC32C mismatch"));
    const ScanResult fast = ScanFragments(damaged, 0, /*check_crc=*/false);
    EXPECT_EQ(fast.fragments.size(), 2u) << "byte " << i;
    EXPECT_TRUE(fast.stopped.ok()) << fast.stopped;
  }
}

TEST(Mp4FragmentTest, DamageOutsideTheMdatIsCaughtEvenWithoutTheCrc) {
  TwoFragments t;
  const size_t mdat = FindBoxPath(t.fa, "mdat")->offset;
  size_t caught_without_crc = 0;
  for (size_t i = 0; i < mdat; ++i) {
    Bytes damaged = t.fa;
    damaged[i] ^= 0x01;
    const ScanResult checked = ScanFragments(damaged, 0);
    EXPECT_TRUE(checked.fragments.empty()) << "byte " << i;
    EXPECT_FALSE(checked.stopped.ok()) << "byte " << i;
    caught_without_crc += !ScanFragments(damaged, 0, false).stopped.ok();
  }
  // Sample durations, flags, sequence and wall time carry no redundancy; sizes, types,
  // versions and offsets do.
  EXPECT_GT(caught_without_crc, mdat / 3);
}

TEST(Mp4FragmentTest, StopsAtUnexpectedBoxesAndNamesTheOffset) {
  TwoFragments t;
  Bytes file = t.fa;
  const Bytes junk = {0, 0, 0, 8, 'f', 'r', 'e', 'e'};
  AppendBytes(file, junk);
  AppendBytes(file, t.fb);
  const ScanResult scan = ScanFragments(file, 0);
  ASSERT_EQ(scan.fragments.size(), 1u);
  EXPECT_EQ(scan.valid_end, t.fa.size());
  EXPECT_EQ(scan.stopped.code(), StatusCode::kDataLoss);
  EXPECT_THAT(
      scan.stopped.message(),
      HasSubstr("fragment at offset " + std::to_string(t.fa.size()) + ": expected prft at offset " +
                std::to_string(t.fa.size()) + ", found free"));
  EXPECT_THAT(scan.stopped.message(), ::testing::Not(StartsWith("torn")));

  const Bytes zeros(100, 0);  // a file extended by the filesystem but never written
  EXPECT_THAT(ScanFragments(zeros, 7).stopped.message(),
              HasSubstr("fragment at offset 7: expected prft at offset 7, found 0x00000000"));
}

TEST(Mp4FragmentTest, InconsistentSizesAreRejected) {
  TwoFragments t;
  Result<Box> trun = FindBoxPath(t.fa, "moof/traf/trun");
  ASSERT_TRUE(trun.ok());
  const size_t trun_payload = trun->payload_offset();

  Bytes bigger_sample = t.fa;  // first sample size + 1: sizes no longer add up to the mdat
  StoreBe32(&bigger_sample[trun_payload + 16], LoadBe32(&t.fa[trun_payload + 16]) + 1);
  EXPECT_THAT(ScanFragments(bigger_sample, 0, false).stopped.message(),
              HasSubstr("trun sample sizes add up to"));

  Bytes moved_offset = t.fa;
  StoreBe32(&moved_offset[trun_payload + 8], LoadBe32(&t.fa[trun_payload + 8]) + 4);
  EXPECT_THAT(ScanFragments(moved_offset, 0, false).stopped.message(),
              HasSubstr("does not point at the mdat payload"));

  Bytes more_samples = t.fa;
  StoreBe32(&more_samples[trun_payload + 4], 0xffffffff);
  EXPECT_THAT(ScanFragments(more_samples, 0, false).stopped.message(),
              HasSubstr("sample_count 4294967295 does not match"));
}

TEST(Mp4FragmentTest, EmptyFragmentAndParseFragmentSamplesChecks) {
  const Bytes empty = WriteFragment({7, 90000, 0}, {});
  const ScanResult scan = ScanFragments(empty, 0);
  ASSERT_TRUE(scan.stopped.ok()) << scan.stopped;
  ASSERT_EQ(scan.fragments.size(), 1u);
  EXPECT_EQ(scan.fragments[0].sample_count, 0u);
  EXPECT_FALSE(scan.fragments[0].starts_with_keyframe);
  EXPECT_EQ(scan.fragments[0].sequence, 7u);
  EXPECT_EQ(scan.fragments[0].wall_time_us, 0);
  Result<std::vector<SampleInfo>> samples = ParseFragmentSamples(empty, 0);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_TRUE(samples->empty());

  TwoFragments t;
  EXPECT_THAT(ParseFragmentSamples(t.file, 0).status().message(),
              HasSubstr(std::to_string(t.fb.size()) + " bytes follow its integrity box"));
  EXPECT_EQ(ParseFragmentSamples(ByteSpan(t.fa).first(t.fa.size() - 1), 0).status().code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sightline::mp4
