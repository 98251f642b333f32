#include "base/brace_expand.h"

#include <gtest/gtest.h>

namespace sightline {
namespace {

using V = std::vector<std::string>;

TEST(ExpandBracesTest, PlainAndRanges) {
  EXPECT_EQ(*ExpandBraces("cam"), V{"cam"});
  EXPECT_EQ(*ExpandBraces("cam{0..2}"), (V{"cam0", "cam1", "cam2"}));
  EXPECT_EQ(*ExpandBraces("c{08..10}x"), (V{"c08x", "c09x", "c10x"}));
  EXPECT_EQ(*ExpandBraces("s{1..2}c{0..1}"), (V{"s1c0", "s1c1", "s2c0", "s2c1"}));
}

TEST(ExpandBracesTest, ErrorsNameTheRange) {
  auto a = ExpandBraces("cam{3..1}");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("{3..1}"), std::string::npos);
  EXPECT_FALSE(ExpandBraces("cam{1..").ok());
  EXPECT_FALSE(ExpandBraces("cam{a..b}").ok());
  EXPECT_FALSE(ExpandBraces("cam{0..999999}", 1000).ok());
}

}  // namespace
}  // namespace sightline
