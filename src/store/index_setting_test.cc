// Index::Setting: run-time settings kept across restarts, next to the index's own facts.
#include <gtest/gtest.h>

#include "store/index.h"
#include "store/store_test_util.h"

namespace sightline::store {
namespace {

TEST(IndexSettingTest, SettingsSurviveReopeningAndStayApartFromTheIndexsFacts) {
  testing::TempDir tmp;
  const std::string path = tmp.path() + "/index.db";
  {
    std::unique_ptr<Index> index = *Index::Open(path);
    Result<std::optional<std::string>> none = index->Setting("switch.motion.front");
    ASSERT_TRUE(none.ok()) << none.status();
    EXPECT_FALSE(none->has_value());
    ASSERT_TRUE(index->SetSetting("switch.motion.front", "on").ok());
    ASSERT_TRUE(index->SetSetting("switch.motion.front", "off").ok());
    // A setting named like a fact of the index cannot overwrite it.
    ASSERT_TRUE(index->SetSetting("generation", "999").ok());
  }
  std::unique_ptr<Index> index = *Index::Open(path);
  EXPECT_EQ(**index->Setting("switch.motion.front"), "off");
  EXPECT_NE(*index->Generation(), 999);
  EXPECT_EQ(**index->Setting("generation"), "999");
}

}  // namespace
}  // namespace sightline::store
