#include "support/frame_hash.h"

#include <gtest/gtest.h>

namespace sightline::testing {
namespace {

// Published FNV-1a 64 test vectors (Fowler/Noll/Vo reference test suite).
TEST(FrameHashTest, MatchesFnv1aVectors) {
  EXPECT_EQ(FrameHash(AsBytes("")), 0xcbf29ce484222325ULL);
  EXPECT_EQ(FrameHash(AsBytes("a")), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(FrameHash(AsBytes("foobar")), 0x85944171f73967e8ULL);
}

TEST(FrameHashTest, OneFlippedBitChangesTheHash) {
  Bytes a(1000, 0x5a);
  Bytes b = a;
  b[500] ^= 0x01;
  EXPECT_NE(FrameHash(a), FrameHash(b));
}

}  // namespace
}  // namespace sightline::testing
