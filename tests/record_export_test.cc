// Acceptance for export, end to end: `sightline run` records camsim's real footage (H.264 360p
// and H.265 1080p) in 10 s segments; `sightline export` of a 15 s range across a segment
// boundary is an MP4 that ffprobe accepts and whose frames are a contiguous run of the source
// file's frames, bit-exact. Along the way: export and protect while the recorder runs,
// `check --full` afterwards, and `check --rebuild-index` after the index is lost, after which
// the same export gives the same file.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "ingest_harness.h"
#include "record_harness.h"
#include "store/export.h"
#include "store/index.h"
#include "support/child_process.h"
#include "support/demux.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

int64_t NowUs() { return UnixMicros(std::chrono::system_clock::now()); }

struct Camera {
  std::string name;
  std::string_view file;
};

class RecordExportTest : public ::testing::Test {
 protected:
  std::string config() const { return dir_ + "/sightline.yaml"; }
  std::string Sightline(const std::string& args) const {
    return Quote(SIGHTLINE_BINARY) + " " + args + " --config " + Quote(config());
  }
  std::string ExportCommand(const Camera& cam, int64_t start_us, int64_t end_us,
                            const std::string& out) const {
    return Sightline("export --camera " + cam.name + " --start " +
                     store::FormatIso8601(start_us) + " --end " + store::FormatIso8601(end_us) +
                     " -o " + Quote(out));
  }
  TempDir tmp_;
  const std::string dir_ = tmp_.path();
};

TEST_F(RecordExportTest, AnExportAcrossSegmentsIsBitExactAndValid) {
  const std::vector<Camera> cameras = {{"h264", kPets360H264}, {"h265", kPets1080H265}};
  std::map<std::string, std::string> media;
  for (const Camera& c : cameras) {
    std::optional<std::string> path = SharedMediaFile(c.file);
    if (!path) GTEST_SKIP() << kNoSharedMediaMessage;
    media[c.name] = *path;
  }
  std::vector<std::string> specs, names;
  for (const Camera& c : cameras) {
    specs.push_back("name=" + c.name + ",file=" + media[c.name]);
    names.push_back(c.name);
  }
  Result<Camsim> camsim = StartCamsim(specs);
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  WriteRecordConfig(config(), "  dirs: [" + dir_ + "/disk]\n  segment_duration: 10s\n",
                    camsim->port, names);

  // Record about 25 s; on the way, export what is there and lock it, beside the recorder.
  const int64_t began_us = NowUs();
  auto run = ChildProcess::Start(SIGHTLINE_BINARY,
                                 {"run", "--config", config(), "--log-level", "warning"});
  ASSERT_TRUE(run.ok()) << run.status();
  std::this_thread::sleep_for(14s);
  CommandResult live = Shell(ExportCommand(cameras[0], began_us, NowUs(), dir_ + "/live.mp4"));
  EXPECT_EQ(live.code, 0) << live.output;
  EXPECT_EQ(Shell("ffprobe -v error " + Quote(dir_ + "/live.mp4")).output, "");
  CommandResult lock = Shell(Sightline("protect --camera h264 --start " +
                                       store::FormatIso8601(began_us) + " --end " +
                                       store::FormatIso8601(began_us + 5'000'000)));
  EXPECT_EQ(lock.code, 0) << lock.output;
  EXPECT_NE(lock.output.find("protected 1 segment of h264/main"), std::string::npos)
      << lock.output;
  std::this_thread::sleep_for(11s);
  ASSERT_TRUE((*run)->Signal(SIGINT).ok());
  Result<int> code = (*run)->Wait(20'000);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);

  CommandResult check = Shell(Sightline("check --full"));
  EXPECT_EQ(check.code, 0) << check.output;
  EXPECT_NE(check.output.find("result: OK"), std::string::npos) << check.output;

  auto index = store::Index::Open(dir_ + "/disk/index.db", /*read_only=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  for (const Camera& cam : cameras) {
    SCOPED_TRACE(cam.name);
    std::optional<store::StreamRow> stream = *(*index)->FindStream(cam.name, "main");
    ASSERT_TRUE(stream.has_value());
    const std::vector<store::SegmentRow> rows =
        *(*index)->SegmentsInRange(stream->id, 0, INT64_MAX / 2);
    ASSERT_GE(rows.size(), 2u);
    EXPECT_EQ(rows[0].is_protected, cam.name == "h264");
    for (const store::SegmentRow& r : rows) {
      const std::string file =
          dir_ + "/disk/" + store::SegmentRelativePath(cam.name, "main", r.seq);
      EXPECT_EQ(Shell("ffprobe -v error " + Quote(file)).output, "") << file;
    }
    // 15 s from 3 s into the first segment: across its end at about 10 s.
    const int64_t start_us = rows[0].start_us + 3'000'000;
    const int64_t end_us = start_us + 15'000'000;
    ASSERT_GT(rows[0].end_us, start_us);
    ASSERT_LT(rows[0].end_us, end_us);
    const std::string clip = dir_ + "/" + cam.name + ".mp4";
    CommandResult exported = Shell(ExportCommand(cam, start_us, end_us, clip));
    ASSERT_EQ(exported.code, 0) << exported.output;
    EXPECT_NE(exported.output.find("wrote " + clip), std::string::npos) << exported.output;
    EXPECT_EQ(Shell("ffprobe -v error " + Quote(clip)).output, "");
    EXPECT_EQ(Shell("ffmpeg -v error -i " + Quote(clip) + " -f null -").output, "");

    Result<std::vector<SourceFrame>> source = DemuxFile(media[cam.name]);
    ASSERT_TRUE(source.ok()) << source.status();
    Result<std::vector<SourceFrame>> got = DemuxFile(clip);
    ASSERT_TRUE(got.ok()) << got.status();
    std::vector<media::FramePtr> frames;
    for (const SourceFrame& s : *got) {
      auto f = std::make_shared<media::Frame>();
      f->keyframe = s.keyframe;
      f->data = s.data;
      frames.push_back(std::move(f));
    }
    std::string why;
    EXPECT_EQ(MatchContiguous(frames, *source, &why), frames.size()) << why;
    ASSERT_FALSE(frames.empty());
    EXPECT_TRUE(frames[0]->keyframe);
    // 10 fps: 150 frames in the range, plus those from the keyframe before its start (the
    // footage has a keyframe every 2 s: at most 20), give or take one at each end.
    EXPECT_GE(frames.size(), 149u);
    EXPECT_LE(frames.size(), 171u);
  }

  // Errors: nothing recorded in the range; a time that is not one.
  CommandResult none = Shell(ExportCommand(cameras[0], began_us - 60'000'000,
                                           began_us - 30'000'000, dir_ + "/none.mp4"));
  EXPECT_EQ(none.code, 1) << none.output;
  EXPECT_NE(none.output.find("nothing was recorded for h264/main"), std::string::npos)
      << none.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/none.mp4"));
  CommandResult bad = Shell(Sightline("export --camera h264 --start yesterday --end now -o x.mp4"));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--start: time 'yesterday'"), std::string::npos) << bad.output;

  // The index lost: rebuilt from the files, it serves the same export.
  index->reset();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(dir_ + "/disk/index.db" + suffix);
  }
  CommandResult refused = Shell(Sightline("check"));
  EXPECT_EQ(refused.code, 1) << refused.output;
  CommandResult rebuilt = Shell(Sightline("check --rebuild-index"));
  EXPECT_EQ(rebuilt.code, 0) << rebuilt.output;
  auto reopened = store::Index::Open(dir_ + "/disk/index.db", /*read_only=*/true);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  std::optional<store::StreamRow> stream = *(*reopened)->FindStream("h265", "main");
  ASSERT_TRUE(stream.has_value());
  const std::vector<store::SegmentRow> rows =
      *(*reopened)->SegmentsInRange(stream->id, 0, INT64_MAX / 2);
  ASSERT_FALSE(rows.empty());
  const int64_t start_us = rows[0].start_us + 3'000'000;
  CommandResult again =
      Shell(ExportCommand(cameras[1], start_us, start_us + 15'000'000, dir_ + "/again.mp4"));
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_EQ(Shell("cmp " + Quote(dir_ + "/h265.mp4") + " " + Quote(dir_ + "/again.mp4")).code, 0);
}

}  // namespace
}  // namespace sightline::testing
