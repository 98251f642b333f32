#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "store/index.h"

namespace sightline::store {
namespace {

TEST(NewUuidTest, RandomVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Result<std::string> u = NewUuid();
    ASSERT_TRUE(u.ok()) << u.status();
    EXPECT_TRUE(std::regex_match(*u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << *u;
    seen.insert(*u);
  }
  EXPECT_EQ(seen.size(), 100u);
}

// aesthetics/security review: a failed read of /dev/urandom gave the all-zero uuid, silently.
TEST(NewUuidTest, FailsWhenTheRandomSourceFails) {
  Result<std::string> u = NewUuid([](uint8_t (&)[16]) { return false; });
  EXPECT_FALSE(u.ok());
}

}  // namespace
}  // namespace sightline::store
