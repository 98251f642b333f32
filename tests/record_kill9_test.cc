// kill -9 test of the recorder (issue: "never lose a frame"): `sightline run` records camsim
// cameras and is killed with SIGKILL at random moments, then restarted, many times. After
// every kill, recovery must leave a consistent store (the full check passes), and the recorded
// timeline may only have a gap where a kill was, losing at most one flush interval plus one
// GOP before it. Rounds: SIGHTLINE_KILL9_ROUNDS (default 30; bench/kill9.sh runs more).

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "store/check.h"
#include "store/index.h"
#include "base/clock.h"
#include "record_harness.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kCameras = 3;
constexpr int64_t kFlushMs = 500;
constexpr int64_t kGopMs = 2000;  // pets2009 360p: a keyframe every 2 s

int64_t NowUs() { return UnixMicros(std::chrono::system_clock::now()); }

int Rounds() {
  const char* env = std::getenv("SIGHTLINE_KILL9_ROUNDS");
  return env ? std::max(1, std::atoi(env)) : 30;
}

class Kill9Test : public ::testing::Test {
 protected:
  TempDir tmp_;
  const std::string dir_ = tmp_.path();
};

TEST_F(Kill9Test, EveryKillIsRecoveredAndOnlyTheKillLeavesAGap) {
  std::optional<std::string> media = SharedMediaFile(kPets360H264);
  if (!media) GTEST_SKIP() << kNoSharedMediaMessage;
  std::vector<std::string> names;
  for (int i = 0; i < kCameras; ++i) names.push_back("cam" + std::to_string(i));
  Result<Camsim> camsim =
      StartCamsim({"name=cam{0.." + std::to_string(kCameras - 1) + "},file=" + *media});
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  WriteRecordConfig(dir_ + "/sightline.yaml",
                    "  dirs: [" + dir_ + "/disk]\n  flush_interval: " + std::to_string(kFlushMs) +
                        "ms\n  segment_duration: 10s\n",
                    camsim->port, names);
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> pause_ms(300, 4000);
  std::vector<int64_t> kills_us;
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    auto run = ChildProcess::Start(SIGHTLINE_BINARY, {"run", "--config", dir_ + "/sightline.yaml",
                                                      "--log-level", "warning"});
    ASSERT_TRUE(run.ok()) << run.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    kills_us.push_back(NowUs());
    ASSERT_TRUE((*run)->Signal(SIGKILL).ok());
    Result<int> code = (*run)->Wait(10'000);
    ASSERT_TRUE(code.ok()) << code.status();
    // A run that exited by itself before the kill is a failure (e.g. refused to start).
    ASSERT_EQ(*code, 128 + SIGKILL) << "round " << round << ": sightline run exited by itself";
  }
  // A last run recovers the last kill and stops cleanly.
  {
    auto run = ChildProcess::Start(SIGHTLINE_BINARY, {"run", "--config", dir_ + "/sightline.yaml",
                                                      "--log-level", "warning"});
    ASSERT_TRUE(run.ok()) << run.status();
    std::this_thread::sleep_for(3s);
    ASSERT_TRUE((*run)->Signal(SIGINT).ok());
    Result<int> code = (*run)->Wait(20'000);
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 0);
  }

  auto index = store::Index::Open(dir_ + "/disk/index.db", /*read_only=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  Result<store::CheckReport> check = store::CheckStore(*store::DefaultEnv(), **index,
                                                       DirsOf(**index), {.full = true});
  ASSERT_TRUE(check.ok()) << check.status();
  for (const std::string& p : check->problems) ADD_FAILURE() << p;
  EXPECT_TRUE(check->ok());

  const int64_t slack_us = 500'000;  // scheduling, and wall time taken from RTCP
  for (int i = 0; i < kCameras; ++i) {
    SCOPED_TRACE("cam" + std::to_string(i));
    std::optional<store::StreamRow> s = *(*index)->FindStream("cam" + std::to_string(i), "main");
    ASSERT_TRUE(s.has_value());
    std::vector<store::SegmentRow> rows = *(*index)->SegmentsInRange(s->id, 0, INT64_MAX / 2);
    ASSERT_FALSE(rows.empty());
    int64_t max_resume_us = 0, max_lost_us = 0;
    for (size_t k = 1; k < rows.size(); ++k) {
      const int64_t gap_start = rows[k - 1].end_us, gap_end = rows[k].start_us;
      if (gap_end - gap_start <= 200'000) continue;  // contiguous (a frame interval or so)
      // The first kill after the data before the gap explains it...
      auto kill = std::lower_bound(kills_us.begin(), kills_us.end(), gap_start - slack_us);
      ASSERT_NE(kill, kills_us.end()) << "a gap after the last kill at " << gap_start;
      ASSERT_LT(*kill, gap_end) << "a gap from " << gap_start << " to " << gap_end
                                << " with no kill in it";
      // ...and at most one flush interval plus one GOP was lost before it.
      EXPECT_GE(gap_start, *kill - (kFlushMs + kGopMs) * 1000 - slack_us)
          << "lost " << (*kill - gap_start) / 1000 << " ms before the kill";
      // From the last kill (runs killed early may have recorded nothing) to recording again.
      const int64_t last_kill = *(std::upper_bound(kills_us.begin(), kills_us.end(), gap_end) - 1);
      max_resume_us = std::max(max_resume_us, gap_end - last_kill);
      max_lost_us = std::max(max_lost_us, *kill - gap_start);
    }
    std::printf("cam%d: %zu segments; most recorded time lost before a kill: %.0f ms;"
                " longest from a kill to recording again: %.0f ms\n",
                i, rows.size(), max_lost_us / 1e3, max_resume_us / 1e3);
  }
}

}  // namespace
}  // namespace sightline::testing
