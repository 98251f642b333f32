// Acceptance for docs/design/time.md: the wall times the RTSP client gives frames (what the
// recorder stores: each fragment's first frame, the rest by pts) against the clock of the
// camera that sent them. camsim tells when each session sends which frame (SessionClock,
// tools/camsim/camera.h), and its RTCP sender reports carry that clock plus the camera's
// clock_offset. Measured figures are printed (docs/design/time.md quotes them).
//
// camsim and the client share a SteadyWallClock: the machine's wall clock may be stepped or
// slewed while a test runs (CI machines synchronise right after boot: a 25-40 ms step failed
// every test here once), and the stamps are checked against each other, not against NTP.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
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

struct Errors {
  Duration max_abs{};
  Duration median_abs{};
};

Duration Abs(Duration d) { return d < Duration::zero() ? -d : d; }

// The wall time at which camsim sent each received frame, on our clock: the session's first
// frame at its start, the others by pts (at speed 1).
std::vector<WallTime> SendTimes(const camsim::SessionClock& clock,
                                const std::vector<media::FramePtr>& frames) {
  std::vector<WallTime> out;
  for (const media::FramePtr& f : frames) {
    const int64_t ticks = f->pts.ticks() - frames[0]->pts.ticks();
    out.push_back(clock.start + std::chrono::duration_cast<Duration>(
                                    std::chrono::microseconds(ticks * 100 / 9)));
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
    o.clock = &clock_;
    o.on_session_start = [this](const std::string&, const camsim::SessionClock& clock) {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.push_back(clock);
    };
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.clear();
    }
    Result<std::vector<camsim::CameraSpec>> spec =
        camsim::ParseCameraSpec("name=cam,file=" + path_ + keys);
    ASSERT_TRUE(spec.ok()) << spec.status();
    o.cameras = *spec;
    Result<std::unique_ptr<camsim::Server>> server = camsim::Server::Start(sim_.io(), o);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    rtsp::ClientOptions co;
    co.url = "rtsp://127.0.0.1:" + std::to_string(server_->port()) + "/cam";
    co.transport = transport;
    Receiver rx(net_.io(), co, &clock_);
    ASSERT_TRUE(WaitFor([&] { return rx.count() >= kFrames; }, 30s)) << rx.count() << " frames";
    rx.Stop();
    frames_ = rx.frames();
    frames_.resize(kFrames);
    stats_ = rx.stats();
    server_->Stop();
    ASSERT_EQ(stats_.connections, 1u);
    std::lock_guard<std::mutex> lock(mu_);
    ASSERT_EQ(sessions_.size(), 1u);
    // The session's first frame is the first frame received.
    const std::vector<camsim::ClipFrame>& cf = server_->clip("cam")->frames();
    auto first = std::find_if(cf.begin(), cf.end(), [&](const camsim::ClipFrame& f) {
      return f.data == frames_[0]->data;
    });
    ASSERT_NE(first, cf.end()) << "the first frame received is no frame of the clip";
    ASSERT_EQ(first->dts, sessions_[0].clip_dts);
    sent_ = SendTimes(sessions_[0], frames_);
  }

  void Report(const char* mode, const Errors& e) {
    std::printf("wall time error, %s: median %.3f ms, max %.3f ms over %zu frames\n", mode,
                Ms(e.median_abs), Ms(e.max_abs), frames_.size());
  }

  std::string path_;
  SteadyWallClock clock_;  // camsim's and the client's
  IoThread sim_;
  IoThread net_;
  std::unique_ptr<camsim::Server> server_;
  std::mutex mu_;
  std::vector<camsim::SessionClock> sessions_;  // guarded by mu_ (written on camsim's thread)
  std::vector<media::FramePtr> frames_;
  std::vector<WallTime> sent_;
  rtsp::ClientStats stats_;
};

// Invariant S1: with sender reports, every frame is stamped with the camera's clock to within
// a few milliseconds.
TEST_F(WallTimeTest, WithSenderReportsStampsAreTheCamerasClockOverTcpAndUdp) {
  for (rtsp::TransportMode t : {rtsp::TransportMode::kTcp, rtsp::TransportMode::kUdp}) {
    const char* mode = t == rtsp::TransportMode::kTcp ? "SR over TCP" : "SR over UDP";
    Run("", t);
    if (HasFatalFailure()) return;
    EXPECT_GE(stats_.receiver.sender_reports, 2u) << mode;
    EXPECT_EQ(stats_.receiver.sender_reports_rejected, 0u) << mode;
    const Errors e = Compare(frames_, sent_, 0ms);
    Report(mode, e);
    EXPECT_LE(e.max_abs, 3ms) << mode;
  }
}

// S1 with a camera clock 3 s ahead of ours (within max_sr_offset): the stamps follow the
// camera's clock, not ours.
TEST_F(WallTimeTest, APlausiblyOffCameraClockIsTrusted) {
  Run(",clock_offset=3000");
  if (HasFatalFailure()) return;
  EXPECT_GE(stats_.receiver.sender_reports, 2u);
  EXPECT_EQ(stats_.receiver.sender_reports_rejected, 0u);
  const Errors e = Compare(frames_, sent_, 3000ms);
  Report("SR, camera clock +3 s", e);
  EXPECT_LE(e.max_abs, 3ms);
}

// Checks invariants A1 and A2 frame by frame: a frame's stamp is its send time plus the
// smallest transfer delay seen so far (the mapper's anchor), and never after its arrival.
void ExpectArrivalInvariants(const Clock& clock, const std::vector<media::FramePtr>& frames,
                             const std::vector<WallTime>& sent) {
  // Arrival (monotonic) to wall time on the shared clock, sampled once: its wall time moves
  // with its monotonic time.
  const WallTime wall0 = clock.WallNow();
  const MonoTime mono0 = clock.Now();
  Duration smallest_delay = Duration::max();
  for (size_t i = 0; i < frames.size(); ++i) {
    const WallTime arrival = wall0 + (frames[i]->arrival - mono0);
    smallest_delay = std::min(smallest_delay, arrival - sent[i]);
    EXPECT_LE(frames[i]->wall_time, arrival + 2ms) << "frame " << i;
    EXPECT_LE(Abs(frames[i]->wall_time - (sent[i] + smallest_delay)), 2ms) << "frame " << i;
    if (i > 0) {
      EXPECT_GE(frames[i]->wall_time, frames[i - 1]->wall_time) << "frame " << i;
    }
  }
}

// Invariants A1 and A2: without sender reports, every frame is stamped within one frame
// interval (100 ms here) of when the camera sent it on a quiet network (loopback): its send
// time plus the smallest delay seen.
TEST_F(WallTimeTest, WithoutSenderReportsStampsAreWithinAFrameOfSending) {
  Run(",quirk=no-sr");
  if (HasFatalFailure()) return;
  EXPECT_EQ(stats_.receiver.sender_reports, 0u);
  EXPECT_EQ(stats_.receiver.wall_clock_reanchors, 0u);
  const Errors e = Compare(frames_, sent_, 0ms);
  Report("arrival (no SR)", e);
  EXPECT_LE(e.max_abs, 100ms);
  ExpectArrivalInvariants(clock_, frames_, sent_);
}

// Invariants S2 and A1: a camera clock an hour off is beyond max_sr_offset: its sender reports
// are rejected and counted, and frames are stamped by arrival, as without SRs.
TEST_F(WallTimeTest, AWrongCameraClockIsRejectedAndCountedAndArrivalStampsFrames) {
  Run(",clock_offset=-3600000");
  if (HasFatalFailure()) return;
  EXPECT_GE(stats_.receiver.sender_reports, 2u);
  EXPECT_EQ(stats_.receiver.sender_reports_rejected, stats_.receiver.sender_reports);
  EXPECT_EQ(stats_.receiver.wall_clock_reanchors, 0u);
  const Errors e = Compare(frames_, sent_, 0ms);
  Report("arrival (SR rejected)", e);
  EXPECT_LE(e.max_abs, 100ms);
  ExpectArrivalInvariants(clock_, frames_, sent_);
}

}  // namespace
}  // namespace sightline::testing
