// HlsPlaylist: byte ranges into the stored files, discontinuities at gaps and changes.

#include "api/hls_playlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/fragment_table.h"

namespace sightline::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z

// A segment of `gops` 2-second fragments of 1000 + i bytes each, starting at start_us.
store::SegmentRow Segment(int64_t id, int64_t start_us, int gops, int width = 1920) {
  store::SegmentRow row;
  row.id = id;
  row.start_us = start_us;
  row.codec = "avc1.640028";
  row.width = width;
  row.height = 1080;
  row.init_length = 700;
  std::vector<store::FragmentEntry> f;
  uint64_t offset = row.init_length;
  for (int i = 0; i < gops; ++i) {
    f.push_back({offset, 1000u + i, 180000 * i, 180000, start_us + 2'000'000 * i, 20});
    offset += 1000 + i;
  }
  row.fragments = store::EncodeFragmentTable(f, row.init_length, start_us);
  row.durable_length = offset;
  row.end_us = start_us + 2'000'000 * gops;
  return row;
}

TEST(HlsPlaylistTest, ByteRangesIntoEachFileWithItsOwnInitSegment) {
  const std::vector<store::SegmentRow> segs = {Segment(7, kT0, 3), Segment(8, kT0 + 6'000'000, 2)};
  Result<std::string> p = HlsPlaylist(segs, {kT0, kT0 + 10'000'000, true});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p,
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
            "#EXT-X-MAP:URI=\"segments/7.mp4\",BYTERANGE=\"700@0\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20Z\n"
            "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1000@700\nsegments/7.mp4\n"
            "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1001@1700\nsegments/7.mp4\n"
            "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1002@2701\nsegments/7.mp4\n"
            "#EXT-X-MAP:URI=\"segments/8.mp4\",BYTERANGE=\"700@0\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:26Z\n"
            "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1000@700\nsegments/8.mp4\n"
            "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1001@1700\nsegments/8.mp4\n"
            "#EXT-X-ENDLIST\n");
}

TEST(HlsPlaylistTest, GapsAndResolutionChangesAreDiscontinuities) {
  const std::vector<store::SegmentRow> gap = {Segment(1, kT0, 1), Segment(2, kT0 + 60'000'000, 1)};
  Result<std::string> p = HlsPlaylist(gap, {kT0, kT0 + 100'000'000, true});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, HasSubstr("segments/1.mp4\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"segments/2.mp4\""));

  const std::vector<store::SegmentRow> change = {Segment(1, kT0, 1),
                                                 Segment(2, kT0 + 2'000'000, 1, 1280)};
  p = HlsPlaylist(change, {kT0, kT0 + 100'000'000, true});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, HasSubstr("#EXT-X-DISCONTINUITY\n"));

  const std::vector<store::SegmentRow> contiguous = {Segment(1, kT0, 1),
                                                     Segment(2, kT0 + 2'000'000, 1)};
  p = HlsPlaylist(contiguous, {kT0, kT0 + 100'000'000, true});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, Not(HasSubstr("DISCONTINUITY")));
}

TEST(HlsPlaylistTest, OnlyFragmentsOverlappingTheRangeAndEventWhileRecording) {
  const std::vector<store::SegmentRow> segs = {Segment(3, kT0, 5)};
  Result<std::string> p = HlsPlaylist(segs, {kT0 + 3'000'000, kT0 + 5'000'000, false});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, HasSubstr("#EXT-X-PLAYLIST-TYPE:EVENT\n"));
  EXPECT_THAT(*p, Not(HasSubstr("ENDLIST")));
  EXPECT_THAT(*p, HasSubstr("#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:22Z\n"));
  EXPECT_THAT(*p, HasSubstr("#EXT-X-BYTERANGE:1001@1700\n"));
  EXPECT_THAT(*p, HasSubstr("#EXT-X-BYTERANGE:1002@2701\n"));
  EXPECT_THAT(*p, Not(HasSubstr("@700\n")));
  EXPECT_THAT(*p, Not(HasSubstr("1003@")));
}

TEST(HlsPlaylistTest, CorruptFragmentTableNamesTheSegment) {
  store::SegmentRow bad = Segment(42, kT0, 2);
  bad.fragments = {0xff, 0xff};
  Result<std::string> p = HlsPlaylist({bad}, {kT0, kT0 + 10'000'000, true});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().ToString(), HasSubstr("segment 42"));
}

}  // namespace
}  // namespace sightline::api
