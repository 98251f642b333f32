#include "rtsp/timeline.h"

#include <gtest/gtest.h>

#include <vector>

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

// |a - b|, for error bounds.
WallTime::duration Error(WallTime a, WallTime b) { return a > b ? a - b : b - a; }

// 10 fps frames sent at kNow + 100 ms * i, pts 9000 * i.
media::Time90k Pts(int i) { return media::Time90k(int64_t{9000} * i); }
WallTime Sent(int i) { return kNow + milliseconds(100 * i); }

TEST(WallClockMapperTest, ArrivalStampsAreSendTimePlusTheSmallestDelayDespiteJitter) {
  WallClockMapper m;
  // Delays of 5..80 ms, and 2 ms (the smallest) every 5 s from frame 7 on.
  std::vector<WallTime> stamps;
  for (int i = 0; i < 300; ++i) {
    const auto delay = milliseconds(i % 50 == 7 ? 2 : 5 + (i * 37) % 76);
    stamps.push_back(m.WallTimeFor(Pts(i), Sent(i) + delay));
  }
  // From frame 7 on every stamp is its send time plus the minimum delay, to the tick.
  for (int i = 7; i < 300; ++i) EXPECT_EQ(stamps[i], Sent(i) + milliseconds(2)) << i;
  // Before it, at most the delay of the frames seen so far; never later than arrival.
  for (int i = 0; i < 7; ++i) EXPECT_LE(Error(stamps[i], Sent(i)), milliseconds(80)) << i;
  EXPECT_EQ(m.reanchors(), 0u);
  EXPECT_GE(m.earlier_corrections(), 1u);
}

TEST(WallClockMapperTest, ALateFirstFrameIsCorrectedByTheNextOnTimeFrame) {
  WallClockMapper m;
  // The first frame waited 900 ms (a slow start, a busy receiver); the rest arrive after 1 ms.
  EXPECT_EQ(m.WallTimeFor(Pts(0), Sent(0) + milliseconds(900)), Sent(0) + milliseconds(900));
  // Frames 1..8 arrive in a burst right behind it, each sooner than predicted: stamped at
  // arrival, so stamps never run ahead of arrival and stay in order.
  WallTime last = Sent(0) + milliseconds(900);
  for (int i = 1; i <= 8; ++i) {
    const WallTime w = m.WallTimeFor(Pts(i), Sent(0) + milliseconds(900 + i));
    EXPECT_LE(w, Sent(0) + milliseconds(900 + i));
    EXPECT_GE(w, last);
    last = w;
  }
  // Frame 9 comes on time: from then on every stamp is exact but for the 1 ms delay.
  for (int i = 9; i < 100; ++i) {
    EXPECT_EQ(m.WallTimeFor(Pts(i), Sent(i) + milliseconds(1)), Sent(i) + milliseconds(1)) << i;
  }
  EXPECT_EQ(m.reanchors(), 0u);
}

TEST(WallClockMapperTest, ACameraClockSlowerThanOursIsFollowedWithinTheDriftOfAWindow) {
  WallClockMapper m;  // drift_window 10 s
  // The camera's 90 kHz clock runs 0.1% slow (3.6 s an hour): pts 8991 per 100 ms.
  for (int i = 0; i < 36000; ++i) {  // one hour
    const WallTime sent = Sent(i);
    const auto delay = milliseconds(1 + (i * 7) % 20);
    const WallTime w = m.WallTimeFor(media::Time90k(int64_t{8991} * i), sent + delay);
    // The anchor moves later at the end of each 10 s window by the lateness at its start:
    // the error stays within two windows of drift (20 ms at 0.1%), plus the 1 ms delay.
    ASSERT_LE(Error(w, sent), milliseconds(22)) << i;
  }
  EXPECT_EQ(m.reanchors(), 0u);
  EXPECT_GE(m.later_corrections(), 300u);
}

TEST(WallClockMapperTest, ACameraClockFasterThanOursIsFollowedFrameByFrame) {
  WallClockMapper m;
  // 0.1% fast: pts 9009 per 100 ms. Frames come sooner than predicted and pull the anchor.
  for (int i = 0; i < 36000; ++i) {
    const WallTime sent = Sent(i);
    const auto delay = milliseconds(1 + (i * 7) % 20);
    const WallTime w = m.WallTimeFor(media::Time90k(int64_t{9009} * i), sent + delay);
    // Within the frames between two minimum-delay frames (20 here) of drift: 2 ms, plus 1 ms.
    ASSERT_LE(Error(w, sent), milliseconds(4)) << i;
  }
  EXPECT_EQ(m.reanchors(), 0u);
}

TEST(WallClockMapperTest, TimestampJumpsReanchorAtOnce) {
  WallClockMapper::Options o;
  o.max_arrival_drift = milliseconds(500);
  WallClockMapper m(o);
  for (int i = 0; i < 50; ++i) m.WallTimeFor(Pts(i), Sent(i));
  // Forward by 10 s (the camsim fault tsjump): the frame would be stamped 10 s early.
  EXPECT_EQ(m.WallTimeFor(Pts(50 + 100), Sent(50)), Sent(50));
  EXPECT_EQ(m.reanchors(), 1u);
  EXPECT_EQ(m.WallTimeFor(Pts(51 + 100), Sent(51)), Sent(51));
  // Back by an hour: the frame would be stamped an hour late.
  EXPECT_EQ(m.WallTimeFor(Pts(52 + 100 - 36000), Sent(52)), Sent(52));
  EXPECT_EQ(m.reanchors(), 2u);
  EXPECT_EQ(m.WallTimeFor(Pts(53 + 100 - 36000), Sent(53) + milliseconds(30)), Sent(53));
  // A network stall longer than the bound re-anchors to the late arrival; the next frame,
  // on time and so as far out the other way, re-anchors back.
  EXPECT_EQ(m.WallTimeFor(Pts(54 + 100 - 36000), Sent(54) + milliseconds(700)),
            Sent(54) + milliseconds(700));
  EXPECT_EQ(m.reanchors(), 3u);
  EXPECT_EQ(m.WallTimeFor(Pts(55 + 100 - 36000), Sent(55)), Sent(55));
  EXPECT_EQ(m.reanchors(), 4u);
  for (int i = 56; i < 70; ++i) {
    EXPECT_EQ(m.WallTimeFor(Pts(i + 100 - 36000), Sent(i)), Sent(i)) << i;
  }
  EXPECT_EQ(m.reanchors(), 4u);
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
