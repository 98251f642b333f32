#include "http/http_date.h"

#include <gtest/gtest.h>

namespace sightline::http {
namespace {

TEST(HttpDateTest, FormatsAndParsesTheThreeForms) {
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(ParseHttpDate(FormatHttpDate(1'700'000'000)), 1'700'000'000);
}

TEST(HttpDateTest, RefusesGarbage) {
  EXPECT_EQ(ParseHttpDate(""), std::nullopt);
  EXPECT_EQ(ParseHttpDate("yesterday"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing"), std::nullopt);
  EXPECT_EQ(ParseHttpDate(std::string(100, 'x')), std::nullopt);
}

}  // namespace
}  // namespace sightline::http
