// `sightline analyze` end to end on the PETS2009 360p substream (../shared/media; skipped with
// a message when absent): one JSON line per frame at --max-fps 10 (795), motion in most of them
// (people walk through the whole clip), at least one event with a JPEG thumbnail written to
// disk; a camera's settings from a config file; usage errors exit 2.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record_harness.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using nlohmann::json;

std::vector<json> ReadJsonLines(const std::string& path) {
  std::vector<json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    lines.push_back(std::move(j));
  }
  return lines;
}

class AnalyzeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto input = SharedMediaFile(kPets360H264);
    if (!input) GTEST_SKIP() << kNoSharedMediaMessage;
    input_ = *input;
  }
  CommandResult Analyze(const std::string& args) const {
    return Shell(Quote(SIGHTLINE_BINARY) + " analyze --input " + Quote(input_) + " --output " +
                 Quote(out()) + " " + args);
  }
  std::string out() const { return tmp_.path() + "/out.jsonl"; }

  TempDir tmp_;
  std::string input_;
};

TEST_F(AnalyzeTest, EveryFrameAtTenFpsWithMotionAndEvents) {
  const std::string thumbs = tmp_.path() + "/thumbs";
  std::filesystem::create_directory(thumbs);
  const CommandResult r = Analyze("--max-fps 10 --thumbnails " + Quote(thumbs));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("analysed 795 of 795 frames"), std::string::npos) << r.output;

  int frames = 0, motion = 0, starts = 0, ends = 0;
  for (const json& j : ReadJsonLines(out())) {
    if (j.contains("event")) {
      const bool start = j["event"] == "start";
      starts += start;
      ends += !start;
      if (start) {
        EXPECT_GT(j["thumbnail_bytes"].get<int>(), 0) << j;
        const std::string path = j["thumbnail"];
        std::ifstream jpeg(path, std::ios::binary);
        EXPECT_EQ(jpeg.get(), 0xff) << path;
        EXPECT_EQ(jpeg.get(), 0xd8) << path;
      }
      EXPECT_GT(j["peak_fraction"].get<double>(), 0) << j;
      continue;
    }
    ASSERT_EQ(j["frame"].get<int>(), frames) << j;
    EXPECT_EQ(j["pts"].get<int64_t>(), int64_t{frames} * 9000) << j;
    ASSERT_TRUE(j["boxes"].is_array());
    EXPECT_EQ(j["motion"].get<bool>(), !j["boxes"].empty()) << j;
    for (const json& b : j["boxes"]) {
      ASSERT_EQ(b.size(), 4u);
      for (const json& v : b) {
        EXPECT_GE(v.get<double>(), 0);
        EXPECT_LE(v.get<double>(), 1);
      }
    }
    motion += j["motion"].get<bool>();
    ++frames;
  }
  EXPECT_EQ(frames, 795);
  EXPECT_GT(motion, frames * 3 / 4);
  EXPECT_GE(starts, 1);
  EXPECT_EQ(starts, ends);
}

TEST_F(AnalyzeTest, CameraSettingsFromConfigAndDefaultFiveFps) {
  const std::string config = tmp_.path() + "/sightline.yaml";
  std::ofstream(config) << "storage:\n  dirs: [" << tmp_.path() << "/store]\ncameras:\n"
                        << "  pets:\n    streams:\n      sub:\n"
                        << "        url: rtsp://camera.invalid/sub\n        roles: [detect]\n";
  const CommandResult r = Analyze("--config " + Quote(config) + " --camera pets");
  ASSERT_EQ(r.code, 0) << r.output;
  int frames = 0;
  for (const json& j : ReadJsonLines(out())) {
    if (j.contains("frame")) {
      EXPECT_EQ(j["frame"].get<int>() % 2, 0) << "5 fps of a 10 fps file: every other frame";
      ++frames;
    }
  }
  EXPECT_EQ(frames, 398);

  const CommandResult unknown = Analyze("--config " + Quote(config) + " --camera nope");
  EXPECT_EQ(unknown.code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("pets"), std::string::npos) << "names the cameras there are";
}

TEST_F(AnalyzeTest, UsageErrors) {
  EXPECT_EQ(Shell(Quote(SIGHTLINE_BINARY) + " analyze --output x").code, 2);
  EXPECT_EQ(Analyze("--camera pets").code, 2) << "--camera needs --config";
  EXPECT_EQ(Analyze("--max-fps fast").code, 2);
  const CommandResult missing = Shell(Quote(SIGHTLINE_BINARY) +
                                      " analyze --input /nonexistent.mp4 --output " + Quote(out()));
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.output.find("/nonexistent.mp4"), std::string::npos) << missing.output;
  const CommandResult help = Shell(Quote(SIGHTLINE_BINARY) + " analyze --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("--thumbnails"), std::string::npos);
}

}  // namespace
}  // namespace sightline::testing
