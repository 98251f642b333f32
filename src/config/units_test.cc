#include "config/units.h"

#include <gtest/gtest.h>

namespace sightline::config {
namespace {

int64_t SizeOk(std::string_view text) {
  Result<int64_t> r = ParseSizeBytes(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.value_or(-1);
}

int64_t DurationOk(std::string_view text) {
  Result<int64_t> r = ParseDurationMs(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.value_or(-1);
}

std::string SizeError(std::string_view text) {
  Result<int64_t> r = ParseSizeBytes(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << r.value_or(0);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

std::string DurationError(std::string_view text) {
  Result<int64_t> r = ParseDurationMs(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << r.value_or(0);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(ConfigUnitsTest, SizesInBytesAndUnits) {
  EXPECT_EQ(SizeOk("0"), 0);
  EXPECT_EQ(SizeOk("1048576"), 1048576);
  EXPECT_EQ(SizeOk("7B"), 7);
  EXPECT_EQ(SizeOk("1KB"), 1000);
  EXPECT_EQ(SizeOk("3MB"), 3'000'000);
  EXPECT_EQ(SizeOk("2GB"), 2'000'000'000);
  EXPECT_EQ(SizeOk("5TB"), 5'000'000'000'000);
  EXPECT_EQ(SizeOk("1KiB"), 1024);
  EXPECT_EQ(SizeOk("32MiB"), 32 << 20);
  EXPECT_EQ(SizeOk("2GiB"), int64_t{2} << 30);
  EXPECT_EQ(SizeOk("500GiB"), int64_t{500} << 30);
  EXPECT_EQ(SizeOk("3TiB"), int64_t{3} << 40);
  EXPECT_EQ(SizeOk("2 GiB"), int64_t{2} << 30);
  EXPECT_EQ(SizeOk(" 12 "), 12);
}

TEST(ConfigUnitsTest, SizeLimits) {
  EXPECT_EQ(SizeOk("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(SizeOk("8388607TiB"), INT64_MAX - (int64_t{1} << 40) + 1);
  EXPECT_EQ(SizeError("8388608TiB"), "bad size \"8388608TiB\": too large");
  EXPECT_EQ(SizeError("99999999999TiB"), "bad size \"99999999999TiB\": too large");
  EXPECT_EQ(SizeError("9223372036854775808"), "bad size \"9223372036854775808\": too large");
  EXPECT_EQ(SizeError("99999999999999999999999999999"), "bad size \"99999999999999999999999999999\": too large");
}

TEST(ConfigUnitsTest, BadSizes) {
  EXPECT_EQ(SizeError("10 parsecs"),
            "bad size \"10 parsecs\": unknown unit \"parsecs\" (units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
  EXPECT_EQ(SizeError(""),
            "bad size \"\": expected a non-negative integer (bytes) or an integer with a unit (B, KB, MB, GB, "
            "TB, KiB, MiB, GiB, TiB)");
  EXPECT_NE(SizeError("-1").find("non-negative integer"), std::string::npos);
  EXPECT_NE(SizeError("+1").find("non-negative integer"), std::string::npos);
  EXPECT_NE(SizeError("GiB").find("non-negative integer"), std::string::npos);
  EXPECT_EQ(SizeError("1.5GiB"), "bad size \"1.5GiB\": fractions are not supported; use a smaller unit");
  // Units are case-sensitive: "kb" could be kilobits.
  EXPECT_NE(SizeError("1kb").find("unknown unit \"kb\""), std::string::npos);
  EXPECT_NE(SizeError("1gib").find("unknown unit \"gib\""), std::string::npos);
  EXPECT_NE(SizeError("1 GiB x").find("unknown unit \"GiB x\""), std::string::npos);
  EXPECT_NE(SizeError("0x10").find("unknown unit \"x10\""), std::string::npos);
}

TEST(ConfigUnitsTest, DurationsInMilliseconds) {
  EXPECT_EQ(DurationOk("0"), 0);
  EXPECT_EQ(DurationOk("90"), 90'000);
  EXPECT_EQ(DurationOk("500ms"), 500);
  EXPECT_EQ(DurationOk("90s"), 90'000);
  EXPECT_EQ(DurationOk("2m"), 120'000);
  EXPECT_EQ(DurationOk("1h"), 3'600'000);
  EXPECT_EQ(DurationOk("30d"), int64_t{30} * 86'400'000);
  EXPECT_EQ(DurationOk("14 d"), int64_t{14} * 86'400'000);
}

TEST(ConfigUnitsTest, DurationLimits) {
  EXPECT_EQ(DurationOk("9223372036854775807ms"), INT64_MAX);
  EXPECT_EQ(DurationOk("106751991167d"), int64_t{106751991167} * 86'400'000);
  EXPECT_EQ(DurationError("106751991168d"), "bad duration \"106751991168d\": too large");
  // A bare number is seconds, so INT64_MAX of them overflows milliseconds.
  EXPECT_EQ(DurationError("9223372036854775807"), "bad duration \"9223372036854775807\": too large");
}

TEST(ConfigUnitsTest, BadDurations) {
  EXPECT_EQ(DurationError("10 parsecs"),
            "bad duration \"10 parsecs\": unknown unit \"parsecs\" (units: ms, s, m, h, d)");
  EXPECT_EQ(DurationError("1.5s"), "bad duration \"1.5s\": fractions are not supported; use a smaller unit");
  EXPECT_NE(DurationError("-5s").find("non-negative integer (seconds)"), std::string::npos);
  EXPECT_NE(DurationError("s").find("non-negative integer"), std::string::npos);
  EXPECT_NE(DurationError("1w").find("unknown unit \"w\""), std::string::npos);
  EXPECT_NE(DurationError("1S").find("unknown unit \"S\""), std::string::npos);
  EXPECT_NE(DurationError("1min").find("unknown unit \"min\""), std::string::npos);
}

}  // namespace
}  // namespace sightline::config
