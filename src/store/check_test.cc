// `sightline check` after a crash: what the next `sightline run` recovers without loss is
// reported as recoverable, and only real damage as a problem.
#include "store/check.h"

#include <thread>

#include <gtest/gtest.h>

#include "store/fault_injection_env.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using namespace std::chrono_literals;
using testing::FrameSource;

class CheckTest : public ::testing::Test {
 protected:
  StoreOptions Options(Env* env) {
    StoreOptions o;
    o.dirs = {{tmp_.path() + "/disk", 0}};
    o.index_path = tmp_.path() + "/index.db";
    o.flush_interval = 30ms;
    o.segment_duration = 1s;
    o.env = env;
    o.clock = &clock_;
    o.on_fatal = [](const Status&) {};  // a dead process does nothing more
    return o;
  }
  std::unique_ptr<Store> Open(Env* env) {
    Result<std::unique_ptr<Store>> s = Store::Open(Options(env), {{"cam", "main", {}}});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<Index> OpenIndex() {
    Result<std::unique_ptr<Index>> i = Index::Open(tmp_.path() + "/index.db");
    EXPECT_TRUE(i.ok()) << i.status();
    return i.ok() ? std::move(*i) : nullptr;
  }
  CheckReport Check(Index& index) {
    Result<CheckReport> r = CheckStore(*DefaultEnv(), index, testing::DirsOf(index), {.full = true});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CheckReport{};
  }

  testing::TempDir tmp_;
  RealClock clock_;
  FrameSource src_;
};

// The process dies (kill -9: the kernel keeps every byte written) after the first segment's
// fragments were synced but before the index committed its row, as when killed seconds after
// start: the file has no row, and the next run adopts it whole.
TEST_F(CheckTest, FilesWrittenBeforeTheFirstCommitAreRecoverableNotProblems) {
  FaultInjectionEnv env;
  {
    std::unique_ptr<Store> store = Open(&env);
    ASSERT_NE(store, nullptr);
    env.CrashAt("index.before_commit");
    for (int gop = 0; gop < 500 && !env.crashed(); ++gop) {
      for (int i = 0; i < 10; ++i) store->recorder("cam", "main")->OnFrame(src_.Next());
      std::this_thread::sleep_for(5ms);  // lets the writer flush: the crash needs a commit
    }
    ASSERT_TRUE(env.crashed());
    store->Close();
  }
  int64_t recoverable = 0;
  {
    std::unique_ptr<Index> index = OpenIndex();
    ASSERT_NE(index, nullptr);
    const CheckReport report = Check(*index);
    for (const std::string& p : report.problems) ADD_FAILURE() << p;
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.orphan_files, 0);
    EXPECT_GE(report.recoverable_files, 1);
    ASSERT_EQ(report.recoverable.size(), static_cast<size_t>(report.recoverable_files));
    EXPECT_NE(report.recoverable[0].find("recovery adopts its"), std::string::npos) << report.recoverable[0];
    recoverable = report.recoverable_files;
  }
  std::unique_ptr<Store> store = Open(DefaultEnv());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->recovery_report().orphans_adopted + store->recovery_report().orphans_deleted,
            recoverable);
  EXPECT_GE(store->recovery_report().orphans_adopted, 1);
  store->Close();
  std::unique_ptr<Index> index = OpenIndex();
  ASSERT_NE(index, nullptr);
  const CheckReport after = Check(*index);
  EXPECT_TRUE(after.ok());
  EXPECT_EQ(after.recoverable_files, 0);
  EXPECT_TRUE(after.problems.empty());
}

// A file without a row before the stream's last row is not something a crash leaves, and
// recovery never takes it in: that stays a problem.
TEST_F(CheckTest, AFileWithoutARowBeforeTheLastRowIsAProblem) {
  {
    std::unique_ptr<Store> store = Open(DefaultEnv());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 40; ++i) store->recorder("cam", "main")->OnFrame(src_.Next());
    store->Close();
  }
  std::unique_ptr<Index> index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Result<std::vector<SegmentRow>> rows = index->AllSegments();
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_GE(rows->size(), 2u);
  // Drops the first row but not its file (as a broken restore of the index would).
  const std::string rel = SegmentRelativePath("cam", "main", (*rows)[0].seq);
  ASSERT_TRUE(index->MoveToGarbage({(*rows)[0]}, {rel}).ok());
  ASSERT_TRUE(index->ClearGarbage({{(*rows)[0].dir_id, rel}}).ok());

  const CheckReport report = Check(*index);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.orphan_files, 1);
  EXPECT_EQ(report.recoverable_files, 0);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find(rel), std::string::npos) << report.problems[0];
}

}  // namespace
}  // namespace sightline::store
