// Acceptance for docs/design/time.md: the wall times the RTSP client gives frames (what the
// recorder stores: each fragment's first frame, the rest by pts) against the clock of the
// camera that sent them. camsim's cameras have one clock each (server.h): the frame of stream
// time D is due, and sent to a reader keeping up, at clock_start + (D - phase) / speed, and its
// RTCP sender reports carry that clock plus the camera's clock_offset. Measured figures are
// printed (docs/design/time.md quotes them).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "ingest_harness.h"
#include "rtsp/timeline.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;
using Duration = WallTime::duration;

// Frames to collect: 8 s at 10 fps, past the second sender report (5 s).
constexpr size_t kFrames = 80;
// The camera starts 1.5 s into the clip: the client joins mid-GOP and gets the frames from
// the keyframe before at once, which arrival stamping cannot know were due earlier.
constexpr const char* kStart = "start=1.5";
constexpr int64_t kPhase90k = 135000;

struct Errors {
  Duration max_abs{};
  Duration median_abs{};
};

Duration Abs(Duration d) { return d < Duration::zero() ? -d : d; }

// The wall time at which camsim sent each received frame, on our clock: its due time on the
// camera's clock, or, for the frames due before the client joined (sent at once on joining),
// the moment of joining, `join` (pass WallTime::min() to ignore).
std::vector<WallTime> SendTimes(const camsim::Server& server, const std::string& camera,
                                const std::vector<media::FramePtr>& frames, WallTime join,
                                std::string* why) {
  const camsim::Clip* clip = server.clip(camera);
  const auto& cf = clip->frames();
  size_t k = cf.size();
  for (size_t i = 0; i < cf.size() && k == cf.size(); ++i) {
    if (cf[i].data == frames[0]->data) k = i;
  }
  if (k == cf.size()) {
    *why = "the first frame received is no frame of the clip";
    return {};
  }
  // Stream time of the first frame: the client joined within the first loop (the clip is
  // 79.5 s long), so its dts is the clip's; later frames follow by pts.
  const int64_t first_due_90k = cf[k].dts.ticks() - kPhase90k;
  std::vector<WallTime> out;
  for (const media::FramePtr& f : frames) {
    const int64_t ticks = first_due_90k + (f->pts.ticks() - frames[0]->pts.ticks());
    const WallTime due = server.clock_start() + std::chrono::duration_cast<Duration>(
                                                    std::chrono::microseconds(ticks * 100 / 9));
    out.push_back(std::max(due, join));
  }
  return out;
}

Errors Compare(const std::vector<media::FramePtr>& frames, const std::vector<WallTime>& want,
               Duration offset) {
  std::vector<Duration> errs;
  for (size_t i = 0; i < frames.size(); ++i) errs.push_back(Abs(frames[i]->wall_time - want[i] - offset));
  std::sort(errs.begin(), errs.end());
  return {errs.back(), errs[errs.size() / 2]};
}

double Ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class WallTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> path = SharedMediaFile(kPets360H264);
    if (!path) GTEST_SKIP() << kNoSharedMediaMessage;
    path_ = *path;
  }

  // camsim at real speed with one camera `name` (extra spec keys), and a client receiving it
  // until it has kFrames frames.
  void Run(const std::string& keys, rtsp::TransportMode transport = rtsp::TransportMode::kTcp) {
    camsim::Options o;
    o.listen = "127.0.0.1:0";
    Result<std::vector<camsim::CameraSpec>> spec =
        camsim::ParseCameraSpec("name=cam,file=" + path_ + "," + kStart + keys);
    ASSERT_TRUE(spec.ok()) << spec.status();
    o.cameras = *spec;
    Result<std::unique_ptr<camsim::Server>> server = camsim::Server::Start(sim_.io(), o);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_EQ(server_->phase("cam")->ticks(), kPhase90k);
    rtsp::ClientOptions co;
    co.url = "rtsp://127.0.0.1:" + std::to_string(server_->port()) + "/cam";
    co.transport = transport;
    Receiver rx(net_.io(), co);
    ASSERT_TRUE(WaitFor([&] { return rx.count() >= kFrames; }, 30s)) << rx.count() << " frames";
    rx.Stop();
    frames_ = rx.frames();
    frames_.resize(kFrames);
    stats_ = rx.stats();
    EXPECT_EQ(stats_.connections, 1u);
    server_->Stop();
  }

  std::vector<WallTime> Want(WallTime join) {
    std::string why;
    std::vector<WallTime> want = SendTimes(*server_, "cam", frames_, join, &why);
    EXPECT_FALSE(want.empty()) << why;
    return want;
  }

  void Report(const char* mode, const Errors& e) {
    std::printf("wall time error, %s: median %.3f ms, max %.3f ms over %zu frames\n", mode,
                Ms(e.median_abs), Ms(e.max_abs), frames_.size());
  }

  std::string path_;
  IoThread sim_;
  IoThread net_;
  std::unique_ptr<camsim::Server> server_;
  std::vector<media::FramePtr> frames_;
  rtsp::ClientStats stats_;
};

// Invariant S1: with sender reports, every frame is stamped with the camera's clock to within
// a few milliseconds, the frames of the joining burst included.
TEST_F(WallTimeTest, WithSenderReportsStampsAreTheCamerasClockOverTcpAndUdp) {
  for (rtsp::TransportMode t : {rtsp::TransportMode::kTcp, rtsp::TransportMode::kUdp}) {
    const char* mode = t == rtsp::TransportMode::kTcp ? "SR over TCP" : "SR over UDP";
    Run("", t);
    if (HasFatalFailure()) return;
    EXPECT_GE(stats_.receiver.sender_reports, 2u) << mode;
    EXPECT_EQ(stats_.receiver.sender_reports_rejected, 0u) << mode;
    const std::vector<WallTime> want = Want(WallTime::min());
    if (want.empty()) return;
    const Errors e = Compare(frames_, want, 0ms);
    Report(mode, e);
    EXPECT_LE(e.max_abs, 3ms) << mode;
  }
}

// S1 with a camera clock 3 s ahead of ours (within max_sr_offset): the stamps follow the
// camera's clock, not ours.
TEST_F(WallTimeTest, APlausiblyOffCameraClockIsTrusted) {
  Run(",clock_offset=3000");
  if (HasFatalFailure()) return;
  EXPECT_EQ(stats_.receiver.sender_reports_rejected, 0u);
  const std::vector<WallTime> want = Want(WallTime::min());
  if (want.empty()) return;
  const Errors e = Compare(frames_, want, 3000ms);
  Report("SR, camera clock +3 s", e);
  EXPECT_LE(e.max_abs, 3ms);
}

// Invariant A1: without sender reports, every frame is stamped within one frame interval
// (100 ms here) of when the camera sent it; the GOP sent at once on joining is stamped when it
// was sent, which is all arrival time can know.
TEST_F(WallTimeTest, WithoutSenderReportsStampsAreWithinAFrameOfSending) {
  Run(",quirk=no-sr");
  if (HasFatalFailure()) return;
  EXPECT_EQ(stats_.receiver.sender_reports, 0u);
  EXPECT_EQ(stats_.receiver.wall_clock_reanchors, 0u);
  // The first frame is stamped at its arrival: the moment of joining, give or take the
  // transfer delay this test measures.
  const std::vector<WallTime> want = Want(frames_[0]->wall_time);
  if (want.empty()) return;
  const Errors e = Compare(frames_, want, 0ms);
  Report("arrival (no SR)", e);
  EXPECT_LE(e.max_abs, 100ms);
  // And the frames due after joining: stamped with their send time, give or take the delay.
  const std::vector<WallTime> due = Want(WallTime::min());
  Errors live{};
  std::vector<media::FramePtr> live_frames;
  std::vector<WallTime> live_want;
  for (size_t i = 0; i < frames_.size(); ++i) {
    if (due[i] > frames_[0]->wall_time) {
      live_frames.push_back(frames_[i]);
      live_want.push_back(due[i]);
    }
  }
  ASSERT_GT(live_frames.size(), 40u);
  live = Compare(live_frames, live_want, 0ms);
  std::printf("wall time error, arrival (no SR), frames due after joining: median %.3f ms, max "
              "%.3f ms over %zu frames\n",
              Ms(live.median_abs), Ms(live.max_abs), live_frames.size());
  EXPECT_LE(live.max_abs, 100ms);
}

// Invariants S2 and A1: a camera clock an hour off is beyond max_sr_offset: its sender reports
// are rejected and counted, and frames are stamped by arrival, as without SRs.
TEST_F(WallTimeTest, AWrongCameraClockIsRejectedAndCountedAndArrivalStampsFrames) {
  Run(",clock_offset=-3600000");
  if (HasFatalFailure()) return;
  EXPECT_GE(stats_.receiver.sender_reports, 2u);
  EXPECT_EQ(stats_.receiver.sender_reports_rejected, stats_.receiver.sender_reports);
  const std::vector<WallTime> want = Want(frames_[0]->wall_time);
  if (want.empty()) return;
  const Errors e = Compare(frames_, want, 0ms);
  Report("arrival (SR rejected)", e);
  EXPECT_LE(e.max_abs, 100ms);
}

}  // namespace
}  // namespace sightline::testing
