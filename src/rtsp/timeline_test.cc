#include "rtsp/timeline.h"

#include <gtest/gtest.h>

namespace sightline::rtsp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2023-11-14T22:13:20Z, a present-day wall clock for the tests.
const WallTime kNow{seconds(1'700'000'000)};

TEST(TimestampUnwrapperTest, FirstMapsToItselfThenFollows) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.Unwrap(1000).ticks(), 1000);
  EXPECT_EQ(u.Unwrap(4000).ticks(), 4000);
  EXPECT_EQ(u.Unwrap(4000).ticks(), 4000);
}

TEST(TimestampUnwrapperTest, CrossesTheWrapForward) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.Unwrap(0xffffe000u).ticks(), 0xffffe000ll);
  EXPECT_EQ(u.Unwrap(0xfffff000u).ticks(), 0xfffff000ll);
  EXPECT_EQ(u.Unwrap(0x00000800u).ticks(), 0x100000800ll);
  EXPECT_EQ(u.Unwrap(0x00003000u).ticks(), 0x100003000ll);
  // Around the wrap again a full 2^32 later.
  int64_t expect = 0x100003000ll;
  uint32_t ts = 0x3000;
  for (int i = 0; i < 3; ++i) {
    ts += 0x40000000u;
    expect += 0x40000000ll;
    EXPECT_EQ(u.Unwrap(ts).ticks(), expect);
  }
  ts += 0x40000000u;
  expect += 0x40000000ll;
  EXPECT_EQ(u.Unwrap(ts).ticks(), expect);
  EXPECT_EQ(expect, 0x200003000ll);
}

TEST(TimestampUnwrapperTest, SmallStepsBackward) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.Unwrap(0x00000100u).ticks(), 0x100);
  // B-frames or a camera's jitter: a step back across the wrap goes below zero, not up 2^32.
  EXPECT_EQ(u.Unwrap(0xffffff00u).ticks(), -0x100);
  EXPECT_EQ(u.Unwrap(0x00000200u).ticks(), 0x200);
  TimestampUnwrapper v;
  EXPECT_EQ(v.Unwrap(3000).ticks(), 3000);
  EXPECT_EQ(v.Unwrap(0).ticks(), 0);
  EXPECT_EQ(v.Unwrap(6000).ticks(), 6000);
}

TEST(TimestampUnwrapperTest, ResetStartsANewTimeline) {
  TimestampUnwrapper u;
  u.Unwrap(0xfffffff0u);
  EXPECT_EQ(u.Unwrap(0x10u).ticks(), 0x100000010ll);
  u.Reset();
  EXPECT_EQ(u.Unwrap(0x10u).ticks(), 0x10);
}

TEST(NtpTest, ConvertsKnownInstants) {
  // 1970-01-01 is NTP second 2208988800 (RFC 868).
  EXPECT_EQ(NtpToWallTime(uint64_t{2208988800u} << 32), WallTime{});
  EXPECT_EQ(WallTimeToNtp(WallTime{}), uint64_t{2208988800u} << 32);
  // Half a second is fraction 2^31.
  EXPECT_EQ(NtpToWallTime((uint64_t{2208988800u} << 32) | 0x80000000u),
            WallTime{} + milliseconds(500));
  EXPECT_EQ(WallTimeToNtp(kNow) >> 32, 1'700'000'000u + 2'208'988'800u);
}

TEST(NtpTest, EraAfter2036) {
  // RFC 4330 section 3: NTP seconds with the top bit clear are in the era starting 2036-02-07.
  const WallTime era1_start = NtpToWallTime(0);
  EXPECT_EQ(era1_start.time_since_epoch(),
            std::chrono::duration_cast<WallTime::duration>(seconds((int64_t{1} << 32) -
                                                                   2'208'988'800)));
  const WallTime t2040 = kNow + seconds(int64_t{17} * 365 * 86400);
  EXPECT_EQ(NtpToWallTime(WallTimeToNtp(t2040)), t2040);
}

TEST(NtpTest, RoundTripsToTheNanosecond) {
  for (int64_t ns : {0ll, 1ll, 999'999'999ll, 123'456'789ll, 500'000'000ll}) {
    const WallTime t = kNow + std::chrono::duration_cast<WallTime::duration>(
                                  std::chrono::nanoseconds(ns));
    EXPECT_EQ(NtpToWallTime(WallTimeToNtp(t)), t) << ns;
  }
}

TEST(WallClockMapperTest, UsesPlausibleSenderReports) {
  WallClockMapper m;
  // The camera's clock is 2 s ahead of ours: within max_sr_offset, so trusted.
  const WallTime camera = kNow + seconds(2);
  m.OnSenderReport(WallTimeToNtp(camera), media::Time90k(900000), kNow);
  EXPECT_TRUE(m.using_sender_reports());
  EXPECT_EQ(m.rejected_sender_reports(), 0u);
  // A frame 1 s later in pts maps to camera time + 1 s, whatever its arrival jitter.
  const WallTime w = m.WallTimeFor(media::Time90k(990000), kNow + milliseconds(1300));
  EXPECT_EQ(w, camera + seconds(1));
  // Before the SR's timestamp too.
  EXPECT_EQ(m.WallTimeFor(media::Time90k(855000), kNow), camera - milliseconds(500));
}

TEST(WallClockMapperTest, RejectsSenderReportFrom1970) {
  WallClockMapper m;
  const WallTime epoch_ish = WallTime{} + seconds(3600);  // camera clock never set
  m.OnSenderReport(WallTimeToNtp(epoch_ish), media::Time90k(0), kNow);
  EXPECT_FALSE(m.using_sender_reports());
  EXPECT_EQ(m.rejected_sender_reports(), 1u);
  m.OnSenderReport(0, media::Time90k(0), kNow);  // NTP zero: also wrong
  EXPECT_EQ(m.rejected_sender_reports(), 2u);
  // Frames fall back to arrival time.
  EXPECT_EQ(m.WallTimeFor(media::Time90k(0), kNow), kNow);
  EXPECT_EQ(m.WallTimeFor(media::Time90k(9000), kNow + milliseconds(120)),
            kNow + milliseconds(100));
}

TEST(WallClockMapperTest, RejectedReportKeepsEarlierGoodAnchor) {
  WallClockMapper m;
  m.OnSenderReport(WallTimeToNtp(kNow), media::Time90k(0), kNow);
  m.OnSenderReport(WallTimeToNtp(kNow + seconds(3600)), media::Time90k(90000), kNow + seconds(1));
  EXPECT_TRUE(m.using_sender_reports());
  EXPECT_EQ(m.rejected_sender_reports(), 1u);
  EXPECT_EQ(m.WallTimeFor(media::Time90k(180000), kNow + seconds(2)), kNow + seconds(2));
}

TEST(WallClockMapperTest, ArrivalAnchoringFollowsPtsWithinDrift) {
  WallClockMapper m;
  EXPECT_EQ(m.WallTimeFor(media::Time90k(5000), kNow), kNow);
  // 25 fps frames arriving with jitter: stamped from pts, not from arrival.
  for (int i = 1; i <= 100; ++i) {
    const WallTime arrival = kNow + milliseconds(40 * i + (i % 3) * 30);
    EXPECT_EQ(m.WallTimeFor(media::Time90k(5000 + 3600 * i), arrival), kNow + milliseconds(40 * i));
  }
  EXPECT_EQ(m.reanchors(), 0u);
  EXPECT_FALSE(m.using_sender_reports());
}

TEST(WallClockMapperTest, ReanchorsWhenDriftExceedsLimit) {
  WallClockMapper::Options o;
  o.max_arrival_drift = milliseconds(500);
  WallClockMapper m(o);
  EXPECT_EQ(m.WallTimeFor(media::Time90k(0), kNow), kNow);
  // The camera's clock runs 1% slow: pts advances 0.99 s per real second.
  WallTime last;
  for (int s = 1; s <= 60; ++s) {
    const WallTime arrival = kNow + seconds(s);
    last = m.WallTimeFor(media::Time90k(int64_t{89100} * s), arrival);
    const auto err = arrival > last ? arrival - last : last - arrival;
    EXPECT_LE(err, milliseconds(500)) << s;
  }
  EXPECT_GE(m.reanchors(), 1u);
  EXPECT_LE(m.reanchors(), 2u);
  // A timestamp jump re-anchors at once.
  const uint64_t before = m.reanchors();
  const WallTime arrival = kNow + seconds(61);
  EXPECT_EQ(m.WallTimeFor(media::Time90k(int64_t{90000} * 5000), arrival), arrival);
  EXPECT_EQ(m.reanchors(), before + 1);
}

TEST(WallClockMapperTest, TimestampJumpAfterSenderReportFallsBackToArrival) {
  WallClockMapper m;
  m.OnSenderReport(WallTimeToNtp(kNow), media::Time90k(0), kNow);
  ASSERT_TRUE(m.using_sender_reports());
  // The encoder restarted: pts jumps by an hour while real time moves 1 s.
  const WallTime arrival = kNow + seconds(1);
  EXPECT_EQ(m.WallTimeFor(media::Time90k(int64_t{90000} * 3600), arrival), arrival);
  EXPECT_FALSE(m.using_sender_reports());
  EXPECT_EQ(m.reanchors(), 1u);
  // The next plausible SR restores the camera's clock.
  m.OnSenderReport(WallTimeToNtp(kNow + seconds(2)), media::Time90k(int64_t{90000} * 3601),
                   kNow + seconds(2));
  EXPECT_TRUE(m.using_sender_reports());
}

TEST(WallClockMapperTest, AbsurdPtsDoesNotOverflow) {
  WallClockMapper m;
  m.WallTimeFor(media::Time90k(0), kNow);
  const WallTime w = m.WallTimeFor(media::Time90k(INT64_MAX), kNow);
  EXPECT_EQ(w, kNow);  // re-anchored: far beyond any drift
  const WallTime v = m.WallTimeFor(media::Time90k(INT64_MIN), kNow);
  EXPECT_EQ(v, kNow);
}

}  // namespace
}  // namespace sightline::rtsp
