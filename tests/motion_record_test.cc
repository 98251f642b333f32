// Acceptance for motion analysis inside the recorder (issue 5): camsim plays the PETS2009 main
// stream and its substream as one camera; `sightline run` records the main stream and analyses
// the substream. Afterwards the index holds motion events with JPEG thumbnails, the main
// stream's segments under an event are marked for the motion retention tier, and the region
// search finds the motion without decoding anything.

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "motion/motion_grid.h"
#include "record_harness.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

TEST(MotionRecordTest, EventsThumbnailsTiersAndRegionSearch) {
  std::optional<std::string> main = SharedMediaFile("pets2009_s2l1_1080p10_4M.h264.mp4");
  std::optional<std::string> sub = SharedMediaFile("pets2009_s2l1_360p10_400k.h264.mp4");
  if (!main || !sub) GTEST_SKIP() << "needs ../shared/media (PETS2009 main and substream)";
  TempDir tmp;
  const std::string dir = tmp.path();
  Result<Camsim> camsim = StartCamsim({"name=pets,file=" + *main + ",start=0",
                                       "name=pets-sub,file=" + *sub + ",start=0"});
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  const std::string config = dir + "/sightline.yaml";
  {
    std::ofstream cfg(config);
    const std::string url = "rtsp://127.0.0.1:" + camsim->port + "/";
    cfg << "storage:\n  dirs: [" << dir << "/disk]\n  segment_duration: 10s\n"
        << "http:\n  listen: 127.0.0.1:0\n"
        << "cameras:\n  pets:\n    streams:\n"
        << "      main: {url: " << url << "pets, roles: [record]}\n"
        << "      sub: {url: " << url << "pets-sub, roles: [detect]}\n";
  }
  const int64_t began_us = UnixMicros(std::chrono::system_clock::now());
  auto run = ChildProcess::Start(SIGHTLINE_BINARY, {"run", "--config", config, "--log-level", "warning"});
  ASSERT_TRUE(run.ok()) << run.status();
  std::this_thread::sleep_for(20s);
  ASSERT_TRUE((*run)->Signal(SIGINT).ok());
  Result<int> code = (*run)->Wait(30'000);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  const int64_t ended_us = UnixMicros(std::chrono::system_clock::now());

  auto index = store::Index::Open(dir + "/disk/index.db", /*read_only=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  Result<std::vector<store::MotionEventRow>> events =
      (*index)->MotionEvents("pets", 0, INT64_MAX / 2, 100);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_FALSE(events->empty()) << "people walk through the whole clip";
  const store::MotionEventRow& e = events->back();
  EXPECT_EQ(e.stream, "sub");
  EXPECT_GE(e.start_us, began_us - 6'000'000);
  EXPECT_GT(e.end_us, e.start_us) << "stopping the recorder ends the open event";
  EXPECT_LE(e.end_us, ended_us + 6'000'000);
  ASSERT_TRUE(e.has_thumbnail);
  Result<Bytes> jpeg = (*index)->MotionEventThumbnail(e.id);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status();
  ASSERT_GT(jpeg->size(), 1000u);
  EXPECT_EQ((*jpeg)[0], 0xFF);
  EXPECT_EQ((*jpeg)[1], 0xD8);

  // The recorded main stream's segments under the event are on the motion tier.
  std::optional<store::StreamRow> stream = *(*index)->FindStream("pets", "main");
  ASSERT_TRUE(stream.has_value());
  const std::vector<store::SegmentRow> segs =
      *(*index)->SegmentsInRange(stream->id, e.start_us, e.end_us);
  ASSERT_FALSE(segs.empty());
  for (const store::SegmentRow& s : segs) EXPECT_TRUE(s.motion) << "segment " << s.seq;

  // Region search from the stored grids: the whole picture has motion while recording, nothing
  // before it.
  const Bytes all = motion::MotionGrid::FromRect({0, 0, 1, 1}).Serialize();
  Result<store::MotionSearchResult> hits = (*index)->SearchMotion("pets", began_us, ended_us, all, 100);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_FALSE(hits->ranges.empty());
  EXPECT_GE(hits->ranges.front().start_us, began_us);
  Result<store::MotionSearchResult> before =
      (*index)->SearchMotion("pets", began_us - 3'600'000'000, began_us - 1'000'000, all, 100);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->ranges.empty());
}

}  // namespace
}  // namespace sightline::testing
