#include "config/env.h"

#include <gtest/gtest.h>

#include <map>

namespace sightline::config {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup kEnv = FakeEnv({{"USER", "admin"}, {"PASS", "s3cret"}, {"EMPTY", ""}, {"NESTED", "${USER}"}});

std::string Expand(std::string_view text) {
  Result<std::string> r = ExpandEnv(text, kEnv);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.value_or("<error>");
}

std::string Error(std::string_view text) {
  Result<std::string> r = ExpandEnv(text, kEnv);
  EXPECT_FALSE(r.ok()) << text << " expanded to " << r.value_or("");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(ConfigEnvTest, SubstitutesVariables) {
  EXPECT_EQ(Expand("plain"), "plain");
  EXPECT_EQ(Expand(""), "");
  EXPECT_EQ(Expand("${PASS}"), "s3cret");
  EXPECT_EQ(Expand("rtsp://${USER}:${PASS}@cam/main"), "rtsp://admin:s3cret@cam/main");
  EXPECT_EQ(Expand("${USER}${PASS}"), "admins3cret");
  EXPECT_EQ(Expand("a${EMPTY}b"), "ab");
}

TEST(ConfigEnvTest, ValuesAreNotExpandedAgain) { EXPECT_EQ(Expand("${NESTED}"), "${USER}"); }

TEST(ConfigEnvTest, DollarEscapes) {
  EXPECT_EQ(Expand("pa$${x}"), "pa${x}");
  EXPECT_EQ(Expand("$${PASS}"), "${PASS}");
  EXPECT_EQ(Expand("$$${PASS}"), "$${PASS}");  // "$" then the escape
  EXPECT_EQ(Expand("cost $5"), "cost $5");
  EXPECT_EQ(Expand("$$"), "$$");
  EXPECT_EQ(Expand("$"), "$");
  EXPECT_EQ(Expand("$PASS"), "$PASS");
  EXPECT_EQ(Expand("}{"), "}{");
}

TEST(ConfigEnvTest, UnsetVariablesAreNamedWithoutValues) {
  EXPECT_EQ(Error("${FRONT_DOOR_PASSWORD}"), "environment variable FRONT_DOOR_PASSWORD is not set");
  const std::string both = Error("${PASS}:${A}/${B}/${A}");
  EXPECT_EQ(both, "environment variables A, B are not set");
  EXPECT_EQ(both.find("s3cret"), std::string::npos);
}

TEST(ConfigEnvTest, BadSyntax) {
  EXPECT_EQ(Error("x${PASS"), "\"${\" without a closing \"}\" (write \"$${\" for a literal \"${\")");
  EXPECT_EQ(Error("${}"), "bad variable name \"${}\": expected letters, digits and _, not starting with a digit");
  EXPECT_NE(Error("${1X}").find("bad variable name \"${1X}\""), std::string::npos);
  EXPECT_NE(Error("${A-B}").find("bad variable name \"${A-B}\""), std::string::npos);
  EXPECT_NE(Error("${A:-x}").find("bad variable name"), std::string::npos);
}

TEST(ConfigEnvTest, ProcessEnvReadsTheEnvironment) {
  ASSERT_EQ(setenv("SIGHTLINE_CONFIG_ENV_TEST", "v1", 1), 0);
  EXPECT_EQ(ProcessEnv("SIGHTLINE_CONFIG_ENV_TEST"), "v1");
  ASSERT_EQ(unsetenv("SIGHTLINE_CONFIG_ENV_TEST"), 0);
  EXPECT_EQ(ProcessEnv("SIGHTLINE_CONFIG_ENV_TEST"), std::nullopt);
}

}  // namespace
}  // namespace sightline::config
