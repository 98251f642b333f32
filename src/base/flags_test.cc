#include "base/flags.h"

#include <gtest/gtest.h>

namespace sightline {
namespace {

Result<Flags> ParseArgs(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return Flags::Parse({{"listen"}, {"camera", true, true}, {"verbose", false}}, argv.size(),
                      argv.data(), 0);
}

TEST(FlagsTest, ValuesSwitchesAndPositionals) {
  auto f = ParseArgs({"--listen", "127.0.0.1:8554", "--camera=a", "--camera", "b", "--verbose", "x"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Get("listen"), "127.0.0.1:8554");
  EXPECT_EQ(f->GetAll("camera"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f->Has("verbose"));
  EXPECT_EQ(f->positional(), std::vector<std::string>{"x"});
  EXPECT_FALSE(f->help());
}

TEST(FlagsTest, ErrorsNameTheFlag) {
  auto unknown = ParseArgs({"--nope"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--nope"), std::string::npos);
  auto missing = ParseArgs({"--listen"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--listen needs a value"), std::string::npos);
  auto value_on_switch = ParseArgs({"--verbose=1"});
  EXPECT_FALSE(value_on_switch.ok());
}

TEST(FlagsTest, Numbers) {
  auto f = ParseArgs({"--listen", "12"});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f->GetInt("listen", 0), 12);
  EXPECT_EQ(*f->GetInt("absent", 5), 5);
  EXPECT_DOUBLE_EQ(*f->GetDouble("listen", 0), 12.0);
  auto g = ParseArgs({"--listen", "12x"});
  EXPECT_FALSE(g->GetInt("listen", 0).ok());
  EXPECT_FALSE(g->GetDouble("listen", 0).ok());
}

TEST(FlagsTest, Help) {
  auto f = ParseArgs({"--help"});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->help());
}

}  // namespace
}  // namespace sightline
