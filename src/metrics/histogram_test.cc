#include "metrics/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace sightline::metrics {
namespace {

HistogramValue Read(const Histogram& h) {
  Series s;
  h.SnapshotInto(s);
  return s.histogram;
}

TEST(HistogramTest, AValueOnABoundCountsInThatBucket) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 10.0, 11.0}) h.Observe(v);
  const HistogramValue v = Read(h);
  EXPECT_EQ(v.counts, (std::vector<uint64_t>{2, 2, 1, 1}));
  EXPECT_DOUBLE_EQ(v.sum, 22.65);
  EXPECT_EQ(v.upper_bounds, (std::vector<double>{0.1, 1, 10}));
}

TEST(HistogramTest, NanGoesToTheInfBucketOnly) {
  Histogram h({1});
  h.Observe(std::nan(""));
  EXPECT_EQ(Read(h).counts, (std::vector<uint64_t>{0, 1}));
}

TEST(HistogramTest, ConcurrentObservationsAreAllCounted) {
  Histogram h(ExponentialBuckets(1, 2, 4));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.Observe(3);
    });
  }
  for (std::thread& t : threads) t.join();
  const HistogramValue v = Read(h);
  EXPECT_EQ(v.counts[2], 40000u);  // bounds 1, 2, 4, 8: 3 <= 4
  EXPECT_DOUBLE_EQ(v.sum, 120000);
}

TEST(HistogramTest, BoundsMustBeFiniteAndIncreasing) {
  EXPECT_TRUE(CheckBucketBounds(std::vector<double>{}).ok());
  EXPECT_TRUE(CheckBucketBounds(ExponentialBuckets(0.001, 2, 12)).ok());
  Status s = CheckBucketBounds(std::vector<double>{1, 1});
  EXPECT_NE(s.message().find("bound 1 is not above"), std::string::npos) << s;
  s = CheckBucketBounds(std::vector<double>{1, INFINITY});
  EXPECT_NE(s.message().find("not finite"), std::string::npos) << s;
}

TEST(HistogramTest, ExponentialBucketsMultiply) {
  EXPECT_EQ(ExponentialBuckets(0.5, 4, 3), (std::vector<double>{0.5, 2, 8}));
}

}  // namespace
}  // namespace sightline::metrics
