#include "central/watermarks.h"

#include <gtest/gtest.h>

namespace sightline::central {
namespace {

const LaneKey kEvents{"shop-1", std::string(32, 'a'), uplink::Lane::kEvent};

TEST(WatermarksTest, TheWatermarkIsTheEndOfTheGaplessPrefix) {
  Watermarks w;
  w.Load(kEvents, 0);
  EXPECT_EQ(w.Apply(kEvents, {1, 2, 3}), 3);
  EXPECT_EQ(w.Apply(kEvents, {5, 6}), 3) << "4 is missing";
  EXPECT_EQ(w.Apply(kEvents, {4}), 6) << "the gap filled: everything up to 6 is committed";
  EXPECT_EQ(w.Get(kEvents), 6);
}

TEST(WatermarksTest, DuplicatesAndOldIdsChangeNothing) {
  Watermarks w;
  w.Load(kEvents, 10);
  EXPECT_EQ(w.Apply(kEvents, {3, 10, 10}), 10);
  EXPECT_EQ(w.Apply(kEvents, {11, 11, 12}), 12);
}

TEST(WatermarksTest, ProposingLeavesTheStateAsItWas) {
  Watermarks w;
  w.Load(kEvents, 0);
  EXPECT_EQ(w.Propose(kEvents, {1, 2}), 2);
  EXPECT_EQ(w.Get(kEvents), 0) << "a commit that failed must not move the watermark";
  EXPECT_EQ(w.Propose(kEvents, {2}), 0);
}

TEST(WatermarksTest, LanesSitesAndEpochsAreIndependent) {
  Watermarks w;
  const LaneKey audit{kEvents.site, kEvents.epoch, uplink::Lane::kAudit};
  const LaneKey other_site{"shop-2", kEvents.epoch, uplink::Lane::kEvent};
  const LaneKey new_epoch{kEvents.site, std::string(32, 'b'), uplink::Lane::kEvent};
  w.Load(kEvents, 7);
  EXPECT_FALSE(w.Known(audit));
  EXPECT_EQ(w.Apply(audit, {1}), 1);
  EXPECT_EQ(w.Apply(other_site, {2}), 0);
  EXPECT_EQ(w.Apply(new_epoch, {1}), 1);
  EXPECT_EQ(w.Get(kEvents), 7);
}

TEST(WatermarksTest, IdsAboveAGapAreRememberedOnlyUpToABound) {
  Watermarks w;
  w.Load(kEvents, 0);
  std::vector<int64_t> far;
  for (int64_t i = 0; i < static_cast<int64_t>(Watermarks::kMaxAbove) + 10; ++i) far.push_back(i + 2);
  EXPECT_EQ(w.Apply(kEvents, far), 0);
  // The highest were forgotten: filling the gap reaches only what was kept.
  EXPECT_EQ(w.Apply(kEvents, {1}), static_cast<int64_t>(Watermarks::kMaxAbove) + 1);
}

}  // namespace
}  // namespace sightline::central
