#include "store/fragment_table.h"

#include <gtest/gtest.h>

#include "store/meta_file.h"

namespace sightline::store {
namespace {

std::vector<FragmentEntry> Sample(int64_t start_us) {
  std::vector<FragmentEntry> v;
  uint64_t offset = 700;
  int64_t t = 0;
  for (int i = 0; i < 60; ++i) {
    FragmentEntry e{offset, 50'000u + i, t, 90000 + i, start_us + Ticks90kToUs(t) + (i % 7) - 3,
                    static_cast<uint32_t>(10 + i % 2)};
    v.push_back(e);
    offset += e.length;
    t += e.duration_90k;
  }
  return v;
}

TEST(FragmentTableTest, RoundTripsCompactly) {
  const int64_t start = 1'700'000'000'123'456;
  std::vector<FragmentEntry> v = Sample(start);
  Bytes blob = EncodeFragmentTable(v, 700, start);
  EXPECT_LE(blob.size(), v.size() * 9);
  Result<std::vector<FragmentEntry>> back = DecodeFragmentTable(blob, 700, start);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ((*back)[i].offset, v[i].offset);
    EXPECT_EQ((*back)[i].length, v[i].length);
    EXPECT_EQ((*back)[i].decode_time_90k, v[i].decode_time_90k);
    EXPECT_EQ((*back)[i].duration_90k, v[i].duration_90k);
    EXPECT_EQ((*back)[i].wall_us, v[i].wall_us);
    EXPECT_EQ((*back)[i].samples, v[i].samples);
  }
}

TEST(FragmentTableTest, ATruncatedBlobIsAnError) {
  Bytes blob = EncodeFragmentTable(Sample(0), 700, 0);
  blob.pop_back();
  Result<std::vector<FragmentEntry>> r = DecodeFragmentTable(blob, 700, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated entry 59"), std::string::npos) << r.status();
}

TEST(DirMetaTest, RoundTripsAndRejectsDamage) {
  DirMeta m{"1b4e28ba-2fa1-11d2-883f-0016d3cca427", "6fa459ea-ee8a-3ca4-894e-db77e160355e", 42};
  Result<DirMeta> back = ParseDirMeta(FormatDirMeta(m));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
  EXPECT_FALSE(ParseDirMeta("").ok());
  EXPECT_FALSE(ParseDirMeta("hello\n").ok());
  Result<DirMeta> bad = ParseDirMeta("sightline-storage-dir 1\ndir_uuid=a\ndb_uuid=b\ngeneration=x\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 4"), std::string::npos) << bad.status();
  EXPECT_FALSE(ParseDirMeta("sightline-storage-dir 1\ndir_uuid=a\n").ok());
}

}  // namespace
}  // namespace sightline::store
