// Disk full on a real, small file system: `sightline run` records onto a 10 MiB tmpfs that
// the cameras fill within seconds. Recording must go on (retention deletes the oldest
// segments to keep min_free), nothing crashes, a disk_full event is raised, and the store
// stays consistent. Mounting needs root (CI runs as root); elsewhere the test skips.

#include <signal.h>
#include <sys/mount.h>

#include <chrono>
#include <filesystem>
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

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(dir_ + "/disk");
    mounted_ = ::mount("tmpfs", (dir_ + "/disk").c_str(), "tmpfs", 0, "size=10m") == 0;
  }
  void TearDown() override {
    if (mounted_) ::umount2((dir_ + "/disk").c_str(), MNT_DETACH);
  }
  TempDir tmp_;
  const std::string dir_ = tmp_.path();
  bool mounted_ = false;
};

TEST_F(DiskFullTest, RecordingGoesOnWithRetentionOnAFullFileSystem) {
  if (!mounted_) GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
  std::optional<std::string> media = SharedMediaFile(kPets360H264);
  if (!media) GTEST_SKIP() << kNoSharedMediaMessage;
  Result<Camsim> camsim = StartCamsim({"name=cam{0..5},file=" + *media});
  ASSERT_TRUE(camsim.ok()) << camsim.status();
  // Six 400 kbit/s cameras write 300 kB/s: after 25 s the 10 MiB disk is below min_free
  // (the open segments and the index's WAL live there too).
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) names.push_back("cam" + std::to_string(i));
  WriteRecordConfig(dir_ + "/sightline.yaml",
                    "  dirs:\n    - path: " + dir_ + "/disk\n      min_free: 3MiB\n"
                    "  flush_interval: 500ms\n  segment_duration: 10s\n",
                    camsim->port, names);
  auto run = ChildProcess::Start(SIGHTLINE_BINARY, {"run", "--config", dir_ + "/sightline.yaml",
                                                    "--duration", "50", "--log-level", "error"});
  ASSERT_TRUE(run.ok()) << run.status();
  Result<int> code = (*run)->Wait(90'000);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << "sightline run must survive a full disk";

  auto index = store::Index::Open(dir_ + "/disk/index.db", /*read_only=*/true);
  ASSERT_TRUE(index.ok()) << index.status();
  const std::vector<store::EventRow> events = *(*index)->Events(0, 100000);
  int disk_full = 0;
  for (const store::EventRow& e : events) disk_full += e.kind == "disk_full";
  EXPECT_GT(disk_full, 0) << "no disk_full event";
  const int64_t end_us = UnixMicros(std::chrono::system_clock::now());
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE("cam" + std::to_string(i));
    std::optional<store::StreamRow> s = *(*index)->FindStream("cam" + std::to_string(i), "main");
    ASSERT_TRUE(s.has_value());
    std::vector<store::SegmentRow> rows = *(*index)->SegmentsInRange(s->id, 0, INT64_MAX / 2);
    ASSERT_FALSE(rows.empty());
    // Still recording at the end: the newest segment reaches the last few seconds...
    EXPECT_GT(rows.back().end_us, end_us - 6'000'000);
    // ...while the oldest were deleted to make room.
    EXPECT_GT(rows.front().seq, 1);
  }
  Result<store::CheckReport> check = store::CheckStore(*store::DefaultEnv(), **index,
                                                       DirsOf(**index), {.full = true});
  ASSERT_TRUE(check.ok()) << check.status();
  for (const std::string& p : check->problems) ADD_FAILURE() << p;
}

}  // namespace
}  // namespace sightline::testing
