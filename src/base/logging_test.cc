#include "base/logging.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

namespace sightline {
namespace {

TEST(LoggingTest, SinkGetsStructuredLineAndLevelFilters) {
  std::vector<std::string> lines;
  SetLogSink([&](LogLevel, std::string_view l) { lines.emplace_back(l); });
  SetMinLogLevel(LogLevel::kInfo);
  SL_LOG(kDebug) << "camera=a hidden";
  SL_LOG(kWarning) << "camera=a stream=main reconnecting";
  SetLogSink(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" W camera=a stream=main reconnecting"), std::string::npos);
  EXPECT_EQ(lines[0][4], '-');  // ISO date prefix
}

// The records logged while `log` runs, in `format`; restores the defaults after.
std::vector<std::string> Capture(LogFormat format, const std::function<void()>& log) {
  std::vector<std::string> lines;
  SetLogSink([&](LogLevel, std::string_view l) { lines.emplace_back(l); });
  SetMinLogLevel(LogLevel::kInfo);
  SetLogFormat(format);
  log();
  SetLogFormat(LogFormat::kText);
  SetLogSink(nullptr);
  return lines;
}

TEST(LoggingTest, JsonFormatIsOneObjectWithTimeLevelAndMessage) {
  const std::vector<std::string> lines = Capture(LogFormat::kJson, [] {
    SL_LOG(kDebug) << "camera=a hidden";
    SL_LOG(kWarning) << "camera=a stream=main reconnecting in " << 500 << "ms";
    SL_LOG(kError) << "disk full";
  });
  ASSERT_EQ(lines.size(), 2u);
  const nlohmann::json j = nlohmann::json::parse(lines[0]);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 3u) << lines[0];
  EXPECT_TRUE(std::regex_match(j.at("time").get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << j.at("time");
  EXPECT_EQ(j.at("level"), "warning");
  EXPECT_EQ(j.at("msg"), "camera=a stream=main reconnecting in 500ms");
  EXPECT_EQ(nlohmann::json::parse(lines[1]).at("level"), "error");
}

// Messages carry bytes from cameras (SDP, RTSP headers) and clients (paths, user names): none
// may end the line, forge a field or make the line invalid JSON.
TEST(LoggingTest, JsonFormatEscapesHostileMessages) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  controls.push_back('\x7F');
  const std::vector<std::pair<std::string, std::string>> cases = {
      // {message, the "msg" a JSON parser must read back}
      {"quote\" back\\slash", "quote\" back\\slash"},
      {"forged\n{\"time\":\"x\",\"level\":\"error\",\"msg\":\"x\"}\r\n",
       "forged\n{\"time\":\"x\",\"level\":\"error\",\"msg\":\"x\"}\r\n"},
      {controls, controls},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},  // kept as is
      {"lone\x80", "lone\xEF\xBF\xBD"},
      {"cut\xE2\x82" "A", "cut\xEF\xBF\xBD" "A"},  // one U+FFFD per maximal subpart
      {"overlong\xC0\xAF", "overlong\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"surrogate\xED\xA0\x80", "surrogate\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"too_big\xF4\x90\x80\x80", "too_big\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\xFF\xFE", "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"end\xF0\x9F\x98", "end\xEF\xBF\xBD"},
  };
  for (const auto& [message, expected] : cases) {
    const std::string& text = message;  // clang 14: a lambda cannot capture a structured binding
    const std::vector<std::string> lines = Capture(LogFormat::kJson, [&] { SL_LOG(kInfo) << text; });
    ASSERT_EQ(lines.size(), 1u);
    for (const char c : lines[0]) {
      ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7F) << "raw control byte in " << lines[0];
    }
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(lines[0])) << lines[0];
    EXPECT_EQ(j.size(), 3u) << lines[0];
    EXPECT_EQ(j.at("level"), "info");
    EXPECT_EQ(j.at("msg").get<std::string>(), expected) << lines[0];
  }
}

TEST(LoggingTest, TextFormatStaysTheDefaultLine) {
  const std::vector<std::string> lines =
      Capture(LogFormat::kText, [] { SL_LOG(kInfo) << "camera=a \"quoted\""; });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z I camera=a "quoted")")))
      << lines[0];
}

TEST(LogRateLimiterTest, BurstThenSuppressesThenReportsCount) {
  LogRateLimiter rl(std::chrono::seconds(60), 2);
  std::chrono::steady_clock::time_point t{};
  t += std::chrono::hours(1);
  int suppressed = -1;
  EXPECT_TRUE(rl.Allow(t, &suppressed));
  EXPECT_TRUE(rl.Allow(t, &suppressed));
  EXPECT_FALSE(rl.Allow(t, &suppressed));
  EXPECT_FALSE(rl.Allow(t + std::chrono::seconds(59), &suppressed));
  EXPECT_TRUE(rl.Allow(t + std::chrono::seconds(61), &suppressed));
  EXPECT_EQ(suppressed, 2);
}

TEST(LoggingTest, ParseLevel) {
  LogLevel l;
  EXPECT_TRUE(ParseLogLevel("debug", &l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

TEST(LoggingTest, ParseFormat) {
  LogFormat f = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("json", &f));
  EXPECT_EQ(f, LogFormat::kJson);
  EXPECT_TRUE(ParseLogFormat("text", &f));
  EXPECT_EQ(f, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("JSON", &f));
}

}  // namespace
}  // namespace sightline
