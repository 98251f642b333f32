#include "base/bytes.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/shutdown.h"

namespace sightline {
namespace {

TEST(BytesTest, BigEndianRoundTrip) {
  Bytes b;
  AppendBe16(b, 0x1234);
  AppendBe32(b, 0xdeadbeef);
  ASSERT_EQ(b.size(), 6u);
  EXPECT_EQ(LoadBe16(b.data()), 0x1234);
  EXPECT_EQ(LoadBe32(b.data() + 2), 0xdeadbeefu);
  EXPECT_EQ(LoadBe24(b.data() + 2), 0xdeadbeu);
}

TEST(ByteReaderTest, StopsAtEndAndStaysFailed) {
  const uint8_t data[] = {1, 2, 3};
  ByteReader r(data);
  uint16_t v16 = 0;
  uint8_t v8 = 0;
  EXPECT_TRUE(r.ReadBe16(&v16));
  EXPECT_EQ(v16, 0x0102);
  uint32_t v32 = 0;
  EXPECT_FALSE(r.ReadBe32(&v32));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.ReadU8(&v8));  // would fit, but the reader has failed
}

TEST(SimulatedClockTest, AdvancesOnlyWhenTold) {
  SimulatedClock c;
  const MonoTime t0 = c.Now();
  const WallTime w0 = c.WallNow();
  c.Advance(std::chrono::seconds(3));
  EXPECT_EQ(c.Now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(c.WallNow() - w0, std::chrono::seconds(3));
  c.StepWall(-std::chrono::seconds(10));
  EXPECT_EQ(c.Now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(c.WallNow() - w0, -std::chrono::seconds(7));
}

TEST(ShutdownTest, CallbacksRunOnceIncludingLateOnes) {
  Shutdown s;
  int calls = 0;
  s.OnRequest([&] { ++calls; });
  EXPECT_FALSE(s.requested());
  s.Request();
  s.Request();
  EXPECT_TRUE(s.requested());
  EXPECT_EQ(calls, 1);
  s.OnRequest([&] { calls += 10; });
  EXPECT_EQ(calls, 11);
}

}  // namespace
}  // namespace sightline
