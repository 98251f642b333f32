#include "mp4/box_writer.h"

#include <gtest/gtest.h>

#include <limits>

namespace sightline::mp4 {
namespace {

TEST(Mp4BoxWriterTest, NestedBoxesGetTheirSizesBackPatched) {
  BoxWriter w;
  {
    BoxWriter::Scope moov = w.Box("moov");
    {
      BoxWriter::Scope mvhd = w.FullBox("mvhd", 1, 0x123456);
      w.U32(0xdeadbeef);
    }
    BoxWriter::Scope trak = w.Box("trak");
    w.U8(7);
  }
  const Bytes expected = {
      0,    0,    0,    33,   'm', 'o', 'o', 'v',                       // 8 + 16 + 9
      0,    0,    0,    16,   'm', 'v', 'h', 'd', 1, 0x12, 0x34, 0x56,  // full box header
      0xde, 0xad, 0xbe, 0xef,                                           //
      0,    0,    0,    9,    't', 'r', 'a', 'k', 7,                    //
  };
  EXPECT_EQ(std::move(w).Take(), expected);
}

TEST(Mp4BoxWriterTest, PatchesAndWideFields) {
  BoxWriter w;
  w.U24(0x010203);
  const size_t at = w.size();
  w.U64(0);
  w.PatchU64(at, 0x0102030405060708);
  w.Code("abcd");
  const Bytes expected = {1, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8, 'a', 'b', 'c', 'd'};
  EXPECT_EQ(std::move(w).Take(), expected);
}

TEST(Mp4BoxWriterTest, MdatHeaderSwitchesToLargesizeAt4GiB) {
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  Bytes small;
  AppendMdatHeader(0, small);
  EXPECT_EQ(small, (Bytes{0, 0, 0, 8, 'm', 'd', 'a', 't'}));

  Bytes largest32;
  AppendMdatHeader(kMax32 - 8, largest32);  // size field exactly 0xffffffff
  EXPECT_EQ(largest32, (Bytes{0xff, 0xff, 0xff, 0xff, 'm', 'd', 'a', 't'}));

  Bytes large;
  AppendMdatHeader(kMax32 - 7, large);
  ASSERT_EQ(large.size(), 16u);
  EXPECT_EQ(LoadBe32(large.data()), 1u);
  EXPECT_EQ(LoadBe64(large.data() + 8), kMax32 - 7 + 16);
}

}  // namespace
}  // namespace sightline::mp4
