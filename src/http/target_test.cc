#include "http/target.h"

#include <gtest/gtest.h>

#include "base/percent_decode.h"

namespace sightline::http {
namespace {

std::string PathOf(std::string_view target) {
  Result<Target> t = ParseTarget(target);
  return t.ok() ? t->path : "ERROR: " + t.status().message();
}

TEST(HttpTargetTest, DecodesAndNormalisesPaths) {
  EXPECT_EQ(PathOf("/"), "/");
  EXPECT_EQ(PathOf("/api/cameras"), "/api/cameras");
  EXPECT_EQ(PathOf("/api/cameras/"), "/api/cameras");
  EXPECT_EQ(PathOf("//api///cameras"), "/api/cameras");
  EXPECT_EQ(PathOf("/api/./cameras/."), "/api/cameras");
  EXPECT_EQ(PathOf("/a%20b/c+d"), "/a b/c+d");
  EXPECT_EQ(PathOf("/caf%C3%A9"), "/caf\xC3\xA9");
  EXPECT_EQ(PathOf("http://example.com/x?y=1"), "/x");
  EXPECT_EQ(PathOf("https://example.com"), "/");
}

TEST(HttpTargetTest, RefusesTraversalAndSmuggling) {
  const std::string_view kBad[] = {
      "/../etc/passwd", "/a/../b", "/a/..", "/%2e%2e/etc", "/%2E%2e/x", "/a/.%2e/b", "/a%2fb", "/a%2F..%2Fb",
      "/a\\b", "/a%5cb", "/a%00b", std::string_view("/a\0b", 4), "/a%0d%0aSet-Cookie:x", "/a%", "/a%4", "/a%zz",
      "*", "", "example.com/x", "ftp://x/y", "http://host?x"};
  for (std::string_view bad : kBad) {
    EXPECT_FALSE(ParseTarget(bad).ok()) << bad;
  }
}

TEST(HttpTargetTest, ParsesQuery) {
  Result<Target> t = ParseTarget("/x?a=1&b=two+words&a=%32&flag&=v&&c=%26%3D");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->path, "/x");
  auto [begin, end] = t->query.equal_range("a");
  ASSERT_EQ(std::distance(begin, end), 2);
  EXPECT_EQ(begin->second, "1");
  EXPECT_EQ(std::next(begin)->second, "2");
  EXPECT_EQ(t->query.find("b")->second, "two words");
  EXPECT_EQ(t->query.find("flag")->second, "");
  EXPECT_EQ(t->query.find("")->second, "v");
  EXPECT_EQ(t->query.find("c")->second, "&=");
  // An encoded "/" or ".." is fine in a query value: handlers validate their parameters.
  EXPECT_EQ(ParseTarget("/x?p=..%2F..")->query.find("p")->second, "../..");
  EXPECT_FALSE(ParseTarget("/x?a=%00").ok());
  EXPECT_FALSE(ParseTarget("/x?a=%g1").ok());
}

TEST(HttpTargetTest, PercentDecodeNamesTheOffset) {
  Result<std::string> r = PercentDecode("abc%4", false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("offset 3"), std::string::npos) << r.status();
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
}

TEST(HttpTargetTest, ParsesCookies) {
  auto c = ParseCookies("session=abc123; theme=\"dark\";  empty=; =novalue; junk; session=second");
  EXPECT_EQ(c["session"], "abc123");
  EXPECT_EQ(c["theme"], "dark");
  EXPECT_EQ(c["empty"], "");
  EXPECT_EQ(c.count("junk"), 0u);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_TRUE(ParseCookies("").empty());
}

}  // namespace
}  // namespace sightline::http
