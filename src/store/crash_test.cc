// Power cuts and crashes at every step of the durability protocol (docs/design/storage.md):
// after each, recovery must leave an index whose every row points at valid bytes, with the
// recording a gapless prefix of what was fed, losing at most one flush interval plus one GOP.

#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "store/fault_injection_env.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using namespace std::chrono_literals;
using testing::FrameSource;

constexpr auto kFlush = 40ms;

struct Outcome {
  int64_t fed_frames = 0;
  int64_t recovered_frames = 0;
  int64_t frames_fed_after_crash_window = 0;  // fed later than crash - flush interval - slack
};

class CrashTest : public ::testing::Test {
 protected:
  StoreOptions Options() {
    StoreOptions o;
    o.dirs = {{tmp_.path() + "/disk", 0}};
    o.index_path = tmp_.path() + "/index.db";
    o.flush_interval = kFlush;
    o.segment_duration = 3s;
    o.retention_interval = 20ms;
    o.env = &env_;
    o.clock = &clock_;
    o.on_fatal = [](const Status&) {};  // a dead process does nothing more
    return o;
  }

  // Records until the env "crashes" (or `max_gops`), power-cuts, recovers, and checks.
  Outcome RunUntilCrash(std::function<void()> arm, Retention retention = {}, int max_gops = 300) {
    Outcome out;
    std::vector<StreamSpec> streams = {{"cam", "main", retention}};
    FrameSource src;
    {
      Result<std::unique_ptr<Store>> store = Store::Open(Options(), streams);
      EXPECT_TRUE(store.ok()) << store.status();
      if (!store.ok()) return out;
      StreamRecorder* r = (*store)->recorder("cam", "main");
      arm();
      std::vector<std::pair<std::chrono::steady_clock::time_point, int64_t>> fed;
      for (int g = 0; g < max_gops && !env_.crashed(); ++g) {
        for (int i = 0; i < 10; ++i) r->OnFrame(src.Next());
        fed.emplace_back(std::chrono::steady_clock::now(), src.count());
        std::this_thread::sleep_for(8ms);
      }
      const auto crash_time = std::chrono::steady_clock::now();
      out.fed_frames = src.count();
      // Frames fed before (crash - flush interval - scheduling slack) were synced and
      // committed, or synced and adoptable, before the crash.
      const auto safe_before = crash_time - kFlush - 150ms;
      int64_t safe = 0;
      for (auto& [t, n] : fed) {
        if (t < safe_before) safe = n;
      }
      out.frames_fed_after_crash_window = out.fed_frames - safe;
      (*store)->Close();  // everything fails now: the process is dead
    }
    env_.PowerCut();
    Result<std::unique_ptr<Store>> reopened = Store::Open(Options(), streams);
    EXPECT_TRUE(reopened.ok()) << reopened.status();
    if (!reopened.ok()) return out;
    (*reopened)->Close();
    auto index = *Index::Open(tmp_.path() + "/index.db");
    testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
    std::optional<StreamRow> s = *index->FindStream("cam", "main");
    std::vector<SegmentRow> rows = *index->SegmentsInRange(s->id, 0, INT64_MAX / 2);
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_FALSE(rows[i].open);
      out.recovered_frames += rows[i].frames;
      // Gapless: what survives is contiguous (retention may have cut the oldest).
      if (i > 0) {
        EXPECT_EQ(rows[i].start_us, rows[i - 1].end_us) << "segment " << rows[i].seq;
      }
    }
    if (retention.max_bytes == 0 && !rows.empty()) {
      EXPECT_EQ(rows[0].start_us, 1'700'000'000'000'000);
      // The recording is a prefix of what was fed and ends where recovered_frames says.
      EXPECT_EQ(rows.back().end_us, 1'700'000'000'000'000 + out.recovered_frames * 100'000);
    }
    return out;
  }

  testing::TempDir tmp_;
  FaultInjectionEnv env_;
  RealClock clock_;
};

void ExpectBoundedLoss(const Outcome& o) {
  EXPECT_LE(o.recovered_frames, o.fed_frames);
  // At most one flush interval (plus scheduling slack) of frames, plus the GOP in assembly.
  EXPECT_LE(o.fed_frames - o.recovered_frames, o.frames_fed_after_crash_window + 10)
      << "fed " << o.fed_frames << ", recovered " << o.recovered_frames;
}

TEST_F(CrashTest, PowerCutAfterAnyNumberOfFileOperations) {
  for (int n : {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233}) {
    SCOPED_TRACE("crash at mutation " + std::to_string(n));
    tmp_.Reset();
    ExpectBoundedLoss(RunUntilCrash([&] { env_.CrashAfterMutations(n); }));
  }
}

TEST_F(CrashTest, CrashAtEveryNamedPointOfTheWriteProcedure) {
  for (const char* point : {"writer.before_sync", "writer.after_sync", "index.before_commit"}) {
    for (int nth : {1, 2, 7}) {
      SCOPED_TRACE(std::string(point) + " hit " + std::to_string(nth));
      tmp_.Reset();
      ExpectBoundedLoss(RunUntilCrash([&] { env_.CrashAt(point, nth); }));
    }
  }
}

TEST_F(CrashTest, CrashInTheMiddleOfDeleting) {
  for (const char* point : {"retention.after_garbage", "retention.before_clear_garbage"}) {
    for (int nth : {1, 3}) {
      SCOPED_TRACE(std::string(point) + " hit " + std::to_string(nth));
      tmp_.Reset();
      const Outcome o = RunUntilCrash([&] { env_.CrashAt(point, nth); },
                                      testing::MaxBytes(3000), 60);
      EXPECT_GT(o.recovered_frames, 0);
    }
  }
}

TEST_F(CrashTest, CrashWhileOpeningThenOpeningAgain) {
  for (int n = 1; n <= 12; ++n) {
    SCOPED_TRACE("crash at mutation " + std::to_string(n) + " of opening");
    tmp_.Reset();
    // A first run leaves recordings behind, so opening has meta files and rows to handle.
    RunUntilCrash([&] { env_.CrashAt("writer.after_sync", 5); });
    env_.CrashAfterMutations(n);
    Result<std::unique_ptr<Store>> crashed = Store::Open(Options(), {{"cam", "main", {}}});
    if (crashed.ok()) (*crashed)->Close();
    env_.PowerCut();
    Result<std::unique_ptr<Store>> store = Store::Open(Options(), {{"cam", "main", {}}});
    ASSERT_TRUE(store.ok()) << store.status();
    (*store)->Close();
    auto index = *Index::Open(tmp_.path() + "/index.db");
    testing::ExpectIndexMatchesFiles(env_, *index, testing::DirsOf(*index));
  }
}

}  // namespace
}  // namespace sightline::store
