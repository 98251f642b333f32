// Replacing sightline.yaml: the backup, the new text, the file's mode, and refusing a file that
// changed since it was read.
#include "config/config_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace sightline::config {
namespace {

namespace fs = std::filesystem;

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sightline-config-file.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/sightline.yaml";
    Write(path_, "old: text\n");
    ASSERT_EQ(::chmod(path_.c_str(), 0640), 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string Read(const std::string& path) {
    Result<std::string> r = ReadConfigText(path);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : "";
  }
  static mode_t Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::string dir_, path_;
};

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

TEST_F(ConfigFileTest, BacksUpThenReplacesKeepingTheMode) {
  Result<ReplacedConfig> r = ReplaceConfigFile(path_, "old: text\n", "new: text\n", kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->path, fs::canonical(path_).string());
  EXPECT_EQ(r->backup_path, r->path + ".bak-20260101T000000");
  EXPECT_EQ(Read(path_), "new: text\n");
  EXPECT_EQ(Read(r->backup_path), "old: text\n");
  EXPECT_EQ(Mode(path_), 0640u);
  EXPECT_EQ(Mode(r->backup_path), 0640u);
  // No temporary file is left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 2);

  // A second edit in the same second gets a backup of its own.
  Result<ReplacedConfig> again = ReplaceConfigFile(path_, "new: text\n", "newer: text\n", kNow);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->backup_path, r->path + ".bak-20260101T000000-2");
  EXPECT_EQ(Read(again->backup_path), "new: text\n");
  EXPECT_EQ(Read(r->backup_path), "old: text\n");
}

TEST_F(ConfigFileTest, AFileChangedSinceItWasReadIsLeftAlone) {
  Result<ReplacedConfig> r = ReplaceConfigFile(path_, "what the page read\n", "new: text\n", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("changed while"), std::string::npos);
  EXPECT_EQ(Read(path_), "old: text\n");
  EXPECT_FALSE(fs::exists(path_ + ".bak-20260101T000000"));
}

TEST_F(ConfigFileTest, ASymbolicLinkIsFollowedAndKept) {
  const std::string link = dir_ + "/link.yaml";
  ASSERT_EQ(::symlink(path_.c_str(), link.c_str()), 0);
  Result<ReplacedConfig> r = ReplaceConfigFile(link, "old: text\n", "new: text\n", kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(Read(link), "new: text\n");
  EXPECT_EQ(Read(path_), "new: text\n");
}

TEST_F(ConfigFileTest, ErrorsNameTheFile) {
  Result<ReplacedConfig> r = ReplaceConfigFile(dir_ + "/missing.yaml", "", "x", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("missing.yaml"), std::string::npos) << r.status();
  if (::geteuid() != 0) {  // root writes anywhere
    ASSERT_EQ(::chmod(dir_.c_str(), 0500), 0);
    Result<ReplacedConfig> ro = ReplaceConfigFile(path_, "old: text\n", "new: text\n", kNow);
    ASSERT_EQ(::chmod(dir_.c_str(), 0700), 0);
    ASSERT_FALSE(ro.ok());
    EXPECT_NE(ro.status().message().find(".bak-20260101T000000"), std::string::npos) << ro.status();
    EXPECT_EQ(Read(path_), "old: text\n");
  }
}

TEST(BackupStampTest, IsUtc) { EXPECT_EQ(BackupStamp(kNow + 3600 * 13 + 61), "20260101T130101"); }

}  // namespace
}  // namespace sightline::config
