#include "store/stored_media.h"

#include <gtest/gtest.h>

#include "store/fragment_table.h"

namespace sightline::store {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kS;

// A segment of three 2 s fragments of 1000 bytes after a 500-byte init segment, from kT0.
SegmentRow Segment() {
  std::vector<FragmentEntry> f;
  for (int i = 0; i < 3; ++i) {
    f.push_back({.offset = 500 + 1000u * i, .length = 1000, .decode_time_90k = 180'000 * i,
                 .duration_90k = 180'000, .wall_us = kT0 + 2 * kS * i, .samples = 20});
  }
  SegmentRow row;
  row.start_us = kT0;
  row.end_us = kT0 + 6 * kS;
  row.init_length = 500;
  row.durable_length = 3500;
  row.fragments = EncodeFragmentTable(f, 500, kT0);
  return row;
}

TEST(ServedSpanTest, TheSpanOfTheFragmentsABytesRangeCovers) {
  const SegmentRow seg = Segment();
  auto span = [&](uint64_t offset, uint64_t length) {
    Result<std::optional<std::pair<int64_t, int64_t>>> r = ServedSpan(seg, offset, length);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::nullopt;
  };
  EXPECT_EQ(span(0, 500), std::nullopt) << "the init segment alone shows no picture";
  EXPECT_EQ(span(0, 3500), std::pair(kT0, kT0 + 6 * kS)) << "the whole file";
  EXPECT_EQ(span(1500, 1000), std::pair(kT0 + 2 * kS, kT0 + 4 * kS)) << "one fragment";
  EXPECT_EQ(span(2499, 2), std::pair(kT0 + 2 * kS, kT0 + 6 * kS)) << "across a boundary";
}

}  // namespace
}  // namespace sightline::store
