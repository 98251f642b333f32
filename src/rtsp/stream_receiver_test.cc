#include "rtsp/stream_receiver.h"

#include <gtest/gtest.h>

#include <random>

#include "media/nal.h"
#include "media/test_param_sets.h"
#include "rtsp/packetizer.h"
#include "rtsp/rtp.h"

namespace sightline::rtsp {
namespace {

// Two GOPs of 10 synthetic H.264 access units; the keyframes carry real 360p SPS/PPS.
std::vector<Bytes> MakeAccessUnits() {
  std::mt19937 rng(3);
  std::vector<Bytes> aus;
  for (int i = 0; i < 20; ++i) {
    Bytes au;
    Bytes slice = {static_cast<uint8_t>(i % 10 == 0 ? 0x65 : 0x41), 0x88};
    if (i % 10 == 0) {
      media::AppendLengthPrefixed(media::testdata::kPets360pH264Sps, au);
      media::AppendLengthPrefixed(media::testdata::kPets360pH264Pps, au);
      slice.resize(4000);
    } else {
      slice.resize(200 + 37 * i);
    }
    for (size_t k = 2; k < slice.size(); ++k) slice[k] = static_cast<uint8_t>(rng() | 1);
    media::AppendLengthPrefixed(slice, au);
    aus.push_back(std::move(au));
  }
  return aus;
}

struct Packet {
  Bytes bytes;
  int frame;
};

std::vector<Packet> MakePackets(const std::vector<Bytes>& aus, uint16_t first_seq, uint32_t first_ts) {
  std::vector<Packet> out;
  uint16_t seq = first_seq;
  for (size_t i = 0; i < aus.size(); ++i) {
    std::vector<RtpPayload> payloads;
    PacketizeAccessUnit(media::Codec::kH264, aus[i], PacketizerOptions{.max_payload_bytes = 1000}, payloads);
    for (const RtpPayload& p : payloads) {
      Packet pk{{}, static_cast<int>(i)};
      WriteRtpPacket(96, p.marker, seq++, first_ts + static_cast<uint32_t>(i * 9000), 0xabc, p.bytes, pk.bytes);
      out.push_back(std::move(pk));
    }
  }
  return out;
}

class StreamReceiverTest : public ::testing::Test {
 protected:
  void Feed(const Packet& p) {
    Status st = rx_.OnRtp(p.bytes, MonoTime(), WallTime(std::chrono::seconds(1'800'000'000)), frames_);
    EXPECT_TRUE(st.ok()) << st;
  }
  std::vector<Bytes> aus_ = MakeAccessUnits();
  StreamReceiver rx_{StreamReceiver::Config{}};
  std::vector<media::FramePtr> frames_;
};

TEST_F(StreamReceiverTest, DeliversEveryFrameBitExactAcrossSequenceAndTimestampWrap) {
  // Sequence numbers wrap at 65535 and timestamps at 2^32 within the run.
  for (const Packet& p : MakePackets(aus_, 65530, 0xFFFFFFFFu - 5 * 9000)) Feed(p);
  ASSERT_EQ(frames_.size(), aus_.size());
  for (size_t i = 0; i < aus_.size(); ++i) {
    EXPECT_EQ(frames_[i]->data, aus_[i]) << i;
    EXPECT_EQ(frames_[i]->keyframe, i % 10 == 0) << i;
    // The session's first frame starts after a gap (nothing was recorded before it).
    EXPECT_EQ(frames_[i]->after_loss, i == 0) << i;
    EXPECT_EQ((frames_[i]->pts - frames_[0]->pts).ticks(), static_cast<int64_t>(i) * 9000);
  }
  EXPECT_EQ(rx_.stats().packets_lost, 0u);
  EXPECT_EQ(rx_.stats().keyframes, 2u);
  ASSERT_NE(frames_[0]->params, nullptr);
  EXPECT_EQ(frames_[0]->params->codec_string, "avc1.4d4016");
}

TEST_F(StreamReceiverTest, LossDropsFramesUntilNextKeyframeAndCounts) {
  std::vector<Packet> packets = MakePackets(aus_, 1, 0);
  // Lose the first packet of frame 3.
  bool dropped = false;
  for (const Packet& p : packets) {
    if (p.frame == 3 && !dropped) {
      dropped = true;
      continue;
    }
    Feed(p);
  }
  EXPECT_EQ(rx_.stats().packets_lost, 1u);
  EXPECT_EQ(rx_.stats().loss_events, 1u);
  // Frames 0..2 and the second GOP (10..19) arrive; 3..9 reference lost data.
  ASSERT_EQ(frames_.size(), 13u);
  EXPECT_EQ(frames_[2]->data, aus_[2]);
  EXPECT_EQ(frames_[3]->data, aus_[10]);
  EXPECT_TRUE(frames_[3]->after_loss);
  EXPECT_TRUE(frames_[3]->keyframe);
  EXPECT_FALSE(frames_[4]->after_loss);
  EXPECT_GE(rx_.depacketizer_stats().units_dropped, 6u);
}

TEST_F(StreamReceiverTest, DuplicatesAndLateReorderedPacketsAreDroppedNotFatal) {
  std::vector<Packet> packets = MakePackets(aus_, 500, 0);
  for (size_t i = 0; i < packets.size(); ++i) {
    Feed(packets[i]);
    if (i == 4) Feed(packets[i]);      // duplicate
    if (i == 9) Feed(packets[i - 3]);  // late
  }
  EXPECT_EQ(rx_.stats().packets_late, 2u);
  EXPECT_EQ(rx_.stats().packets_lost, 0u);
  ASSERT_EQ(frames_.size(), aus_.size());
  for (size_t i = 0; i < aus_.size(); ++i) EXPECT_EQ(frames_[i]->data, aus_[i]);
}

TEST_F(StreamReceiverTest, SenderRestartAndSsrcChangeAreDiscontinuities) {
  std::vector<Packet> first = MakePackets(aus_, 5000, 0);
  std::vector<Packet> second = MakePackets(aus_, 100, 777);  // numbering restarted far back
  for (const Packet& p : first) Feed(p);
  for (const Packet& p : second) Feed(p);
  EXPECT_EQ(rx_.stats().sequence_restarts, 1u);
  EXPECT_EQ(frames_.size(), 2 * aus_.size());
}

TEST_F(StreamReceiverTest, OtherPayloadTypesAreIgnoredAndMalformedCounted) {
  Bytes other;
  WriteRtpPacket(97, true, 1, 0, 1, AsBytes("xx"), other);
  EXPECT_TRUE(rx_.OnRtp(other, MonoTime(), WallTime(), frames_).ok());
  EXPECT_EQ(rx_.stats().packets_ignored, 1u);
  const uint8_t bad[] = {0x40, 0x60, 0, 1};  // version 1, truncated
  Status st = rx_.OnRtp(bad, MonoTime(), WallTime(), frames_);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("RTP"), std::string::npos);
  EXPECT_EQ(rx_.stats().malformed_packets, 1u);
  EXPECT_TRUE(frames_.empty());
}

TEST_F(StreamReceiverTest, SenderReportSetsWallClock) {
  const WallTime arrival(std::chrono::seconds(1'800'000'000));
  const WallTime camera = arrival - std::chrono::milliseconds(700);  // plausible offset
  SenderReport sr;
  sr.ssrc = 0xabc;
  sr.ntp_timestamp = WallTimeToNtp(camera);
  sr.rtp_timestamp = 90000;
  Bytes rtcp;
  WriteRtcpSenderReport(sr, rtcp);
  ASSERT_TRUE(rx_.OnRtcp(rtcp, arrival).ok());
  EXPECT_EQ(rx_.stats().sender_reports, 1u);
  for (const Packet& p : MakePackets(aus_, 1, 90000)) Feed(p);
  ASSERT_FALSE(frames_.empty());
  // Frame 0 has the SR's RTP timestamp, so its wall time is the SR's NTP time.
  const auto err = frames_[0]->wall_time - camera;
  EXPECT_LT(std::chrono::abs(err), std::chrono::milliseconds(1));
  const auto step = frames_[5]->wall_time - frames_[0]->wall_time;
  EXPECT_LT(std::chrono::abs(step - std::chrono::milliseconds(500)), std::chrono::milliseconds(1));
}

TEST_F(StreamReceiverTest, ASenderReportFromAWrongClockIsRejectedAndCounted) {
  const WallTime arrival(std::chrono::seconds(1'800'000'000));
  SenderReport sr;
  sr.ssrc = 0xabc;
  sr.ntp_timestamp = WallTimeToNtp(arrival - std::chrono::hours(1));  // a time zone off
  sr.rtp_timestamp = 90000;
  Bytes rtcp;
  WriteRtcpSenderReport(sr, rtcp);
  ASSERT_TRUE(rx_.OnRtcp(rtcp, arrival).ok());
  EXPECT_EQ(rx_.stats().sender_reports, 1u);
  EXPECT_EQ(rx_.stats().sender_reports_rejected, 1u);
  EXPECT_FALSE(rx_.wall_clock().using_sender_reports());
}

}  // namespace
}  // namespace sightline::rtsp
