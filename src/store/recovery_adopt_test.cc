// OpenStorageDirs with `adopt` followed by RebuildIndex: `sightline check --rebuild-index` for
// an index that is missing, another installation's or restored from an old backup.
#include <filesystem>

#include <gtest/gtest.h>

#include "store/check.h"
#include "store/meta_file.h"
#include "store/recovery.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

using namespace std::chrono_literals;
using testing::FrameSource;

class AdoptTest : public ::testing::Test {
 protected:
  std::string disk() const { return tmp_.path() + "/disk"; }
  std::string index_path() const { return tmp_.path() + "/index.db"; }

  // Records `frames` more frames in a session of the store, then closes it.
  void Record(int frames) {
    StoreOptions o;
    o.dirs = {{disk(), 0}};
    o.index_path = index_path();
    o.flush_interval = 30ms;
    o.segment_duration = 6s;
    o.clock = &clock_;
    o.on_fatal = [](const Status& s) { ADD_FAILURE() << s; };
    Result<std::unique_ptr<Store>> s = Store::Open(std::move(o), {{"front", "main", {}}});
    ASSERT_TRUE(s.ok()) << s.status();
    for (int i = 0; i < frames; ++i) (*s)->recorder("front", "main")->OnFrame(src_.Next());
    (*s)->Close();
  }
  void RemoveIndex() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(index_path() + suffix);
  }
  std::unique_ptr<Index> OpenIndex() {
    Result<std::unique_ptr<Index>> i = Index::Open(index_path());
    EXPECT_TRUE(i.ok()) << i.status();
    return i.ok() ? std::move(*i) : nullptr;
  }
  // Adopts and rebuilds, then checks that the rows describe all `frames` and that a normal
  // open (as `sightline run` does) accepts the directory again.
  void RebuildAndExpect(int64_t frames) {
    std::unique_ptr<Index> index = OpenIndex();
    ASSERT_NE(index, nullptr);
    Result<std::vector<StorageDir>> refused =
        OpenStorageDirs(*DefaultEnv(), *index, {disk()}, index_path());
    EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status();
    Result<std::vector<StorageDir>> dirs =
        OpenStorageDirs(*DefaultEnv(), *index, {disk()}, index_path(), /*adopt=*/true);
    ASSERT_TRUE(dirs.ok()) << dirs.status();
    Result<CheckReport> rebuilt = RebuildIndex(*DefaultEnv(), *index, *dirs);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    EXPECT_EQ(rebuilt->bad_segments, 0);
    Result<std::vector<SegmentRow>> rows = index->AllSegments();
    ASSERT_TRUE(rows.ok()) << rows.status();
    int64_t got = 0;
    for (const SegmentRow& r : *rows) got += r.frames;
    EXPECT_EQ(got, frames);
    testing::ExpectIndexMatchesFiles(*DefaultEnv(), *index, *dirs);

    Result<Bytes> text = DefaultEnv()->Read(disk() + "/" + kMetaFileName, 0, 4096);
    ASSERT_TRUE(text.ok()) << text.status();
    Result<DirMeta> meta = ParseDirMeta(std::string(text->begin(), text->end()));
    ASSERT_TRUE(meta.ok()) << meta.status();
    EXPECT_EQ(meta->db_uuid, index->db_uuid());
    EXPECT_EQ(meta->generation, *index->Generation());
    Result<std::vector<StorageDir>> again =
        OpenStorageDirs(*DefaultEnv(), *index, {disk()}, index_path());
    EXPECT_TRUE(again.ok()) << again.status();
  }

  testing::TempDir tmp_;
  RealClock clock_;
  FrameSource src_;
};

TEST_F(AdoptTest, AMissingIndexIsRebuiltFromTheFiles) {
  ASSERT_NO_FATAL_FAILURE(Record(100));
  RemoveIndex();
  RebuildAndExpect(100);
}

TEST_F(AdoptTest, AnIndexRestoredFromAnOldBackupIsRebuiltFromTheFiles) {
  ASSERT_NO_FATAL_FAILURE(Record(30));
  std::filesystem::copy_file(index_path(), tmp_.path() + "/backup.db");
  ASSERT_NO_FATAL_FAILURE(Record(70));
  ASSERT_NO_FATAL_FAILURE(Record(20));
  RemoveIndex();
  std::filesystem::copy_file(tmp_.path() + "/backup.db", index_path());
  RebuildAndExpect(120);
}

TEST_F(AdoptTest, ADirectoryThatLostItsMetaFileIsAdopted) {
  ASSERT_NO_FATAL_FAILURE(Record(50));
  std::filesystem::remove(disk() + "/" + kMetaFileName);
  RebuildAndExpect(50);
}

TEST_F(AdoptTest, AnEmptyDirectoryWithRecordingsInTheIndexIsStillRefused) {
  ASSERT_NO_FATAL_FAILURE(Record(50));
  std::filesystem::remove_all(disk());
  std::filesystem::create_directory(disk());  // an unmounted disk's mount point
  std::unique_ptr<Index> index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Result<std::vector<StorageDir>> dirs =
      OpenStorageDirs(*DefaultEnv(), *index, {disk()}, index_path(), /*adopt=*/true);
  ASSERT_FALSE(dirs.ok());
  EXPECT_NE(dirs.status().message().find("is the disk mounted?"), std::string::npos)
      << dirs.status();
}

}  // namespace
}  // namespace sightline::store
