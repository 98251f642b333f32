#include "support/shared_media.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sightline::testing {
namespace {

// Sets SIGHTLINE_SHARED_MEDIA for one test and restores the previous value.
class ScopedMediaEnv {
 public:
  explicit ScopedMediaEnv(const std::string& value) {
    if (const char* old = std::getenv("SIGHTLINE_SHARED_MEDIA")) old_ = old;
    setenv("SIGHTLINE_SHARED_MEDIA", value.c_str(), 1);
  }
  ~ScopedMediaEnv() {
    if (old_) {
      setenv("SIGHTLINE_SHARED_MEDIA", old_->c_str(), 1);
    } else {
      unsetenv("SIGHTLINE_SHARED_MEDIA");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(SharedMediaTest, EnvironmentVariableWins) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "shared_media_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "clip.mp4") << "x";
  ScopedMediaEnv env(dir.string());
  EXPECT_EQ(SharedMediaDir(), dir.string());
  EXPECT_EQ(SharedMediaFile("clip.mp4"), (dir / "clip.mp4").string());
  EXPECT_EQ(SharedMediaFile("absent.mp4"), std::nullopt);
  std::filesystem::remove_all(dir);
}

TEST(SharedMediaTest, WrongEnvironmentVariableFindsNothing) {
  ScopedMediaEnv env("/nonexistent/media");
  EXPECT_EQ(SharedMediaDir(), std::nullopt);
  EXPECT_EQ(SharedMediaFile(kPets360H264), std::nullopt);
}

}  // namespace
}  // namespace sightline::testing
