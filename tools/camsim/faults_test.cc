// One loopback test per fault mode and quirk: each runs a camera with it (short periods, so a
// test takes a second or two) and observes the fault on the wire.

#include <gtest/gtest.h>

#include <algorithm>

#include "media/nal.h"
#include "media/test_param_sets.h"
#include "rtsp/depacketizer.h"
#include "rtsp/rtp.h"
#include "rtsp/timeline.h"
#include "tools/camsim/camsim_test_util.h"
#include "tools/camsim/server.h"

namespace sightline::camsim {
namespace {

using namespace std::chrono_literals;
using testing::ReceivedFrame;
using testing::RunningServer;
using testing::Steady;
using testing::TestOptions;
using testing::TestRtspClient;

struct Received {
  std::vector<ReceivedFrame> rtp;
  std::vector<ReceivedFrame> rtcp;
  std::vector<ReceivedFrame> other;  // other interleaved channels
  bool closed = false;
};

// A server with the given cameras, each file a synthetic 10 fps clip with a 1 s GOP.
class CamsimFaultTest : public ::testing::Test {
 protected:
  void StartServer(const std::vector<std::string>& extra_keys, double speed = 4) {
    file_ = testing::SyntheticH264File(60, 10);
    ASSERT_NE(file_, nullptr);
    std::vector<std::string> specs;
    for (size_t i = 0; i < extra_keys.size(); ++i) {
      specs.push_back("name=cam" + std::to_string(i) + ",file=" + file_->path() +
                      (extra_keys[i].empty() ? "" : "," + extra_keys[i]));
    }
    rs_ = RunningServer::Start(TestOptions(specs, speed));
    ASSERT_TRUE(rs_->status().ok()) << rs_->status();
  }

  std::unique_ptr<TestRtspClient> Connect() { return TestRtspClient::Connect(rs_->port()); }

  // Reads interleaved frames for `duration` (or until the connection closes).
  static Received Collect(TestRtspClient& c, std::chrono::milliseconds duration) {
    Received r;
    const auto deadline = Steady::now() + duration;
    while (Steady::now() < deadline) {
      auto f = c.NextFrame(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now() + 1ms));
      if (!f) {
        r.closed = c.eof();
        if (r.closed) break;
        continue;
      }
      (f->channel == 0 ? r.rtp : f->channel == 1 ? r.rtcp : r.other).push_back(std::move(*f));
    }
    return r;
  }

  // The packets' payloads point into `frames`, which must outlive them.
  static std::vector<rtsp::RtpPacket> Parse(std::vector<ReceivedFrame>&& frames) = delete;
  static std::vector<rtsp::RtpPacket> Parse(const std::vector<ReceivedFrame>& frames) {
    std::vector<rtsp::RtpPacket> out;
    for (const ReceivedFrame& f : frames) {
      auto p = rtsp::ParseRtpPacket(f.data);
      EXPECT_TRUE(p.ok()) << p.status();
      if (p.ok()) out.push_back(*p);
    }
    return out;
  }

  // Largest forward sequence step between consecutive packets (1 when continuous).
  static int MaxSeqStep(const std::vector<rtsp::RtpPacket>& packets) {
    int max_step = 0;
    for (size_t i = 1; i < packets.size(); ++i) {
      max_step = std::max(
          max_step,
          static_cast<int>(static_cast<uint16_t>(packets[i].sequence - packets[i - 1].sequence)));
    }
    return max_step;
  }

  std::unique_ptr<testing::TempFile> file_;
  std::unique_ptr<RunningServer> rs_;
};

TEST_F(CamsimFaultTest, DropClosesTheConnectionEveryNSeconds) {
  StartServer({"drop=1"}, 1);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  const auto t0 = Steady::now();
  const Received r = Collect(*c, 3s);
  const auto elapsed = Steady::now() - t0;
  EXPECT_TRUE(r.closed);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LE(elapsed, 2500ms);
  EXPECT_FALSE(r.rtp.empty());  // it streamed until then
  // The camera accepts the client again.
  auto again = Connect();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(testing::Play(*again, rs_->Url("cam0")).ok());
  EXPECT_GE(rs_->server().stats("cam0")->faults_injected, 1u);
}

TEST_F(CamsimFaultTest, StallStopsSendingButKeepsTheConnection) {
  StartServer({"stall=0.6/1"}, 4);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  const Received r = Collect(*c, 2500ms);
  EXPECT_FALSE(r.closed);
  ASSERT_GT(r.rtp.size(), 10u);
  auto max_pause = 0ms;
  size_t after_pause = 0;
  for (size_t i = 1; i < r.rtp.size(); ++i) {
    const auto pause = std::chrono::duration_cast<std::chrono::milliseconds>(r.rtp[i].arrival -
                                                                             r.rtp[i - 1].arrival);
    if (pause > max_pause) {
      max_pause = pause;
      after_pause = r.rtp.size() - i;
    }
  }
  EXPECT_GE(max_pause, 550ms);
  EXPECT_GT(after_pause, 0u);  // and it came back
  // A stall drops whole frames before they are packetized: no sequence gap.
  EXPECT_EQ(MaxSeqStep(Parse(r.rtp)), 1);
}

TEST_F(CamsimFaultTest, GarbageBytesBetweenFrames) {
  StartServer({"garbage=0.3", ""}, 4);
  auto c = Connect();
  auto clean = Connect();
  ASSERT_TRUE(c && clean);
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  ASSERT_TRUE(testing::Play(*clean, rs_->Url("cam1")).ok());
  const Received r = Collect(*c, 1200ms);
  EXPECT_GE(c->skipped_bytes(), 100u);
  EXPECT_FALSE(r.rtp.empty());
  // Frames after the garbage are intact.
  EXPECT_EQ(MaxSeqStep(Parse(r.rtp)), 1);
  const Received rc = Collect(*clean, 300ms);
  EXPECT_FALSE(rc.rtp.empty());
  EXPECT_EQ(clean->skipped_bytes(), 0u);
}

TEST_F(CamsimFaultTest, GapSkipsSequenceNumbers) {
  StartServer({"gap=0.3", ""}, 4);
  auto c = Connect();
  auto clean = Connect();
  ASSERT_TRUE(c && clean);
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  ASSERT_TRUE(testing::Play(*clean, rs_->Url("cam1")).ok());
  const Received r = Collect(*c, 1200ms);
  const auto packets = Parse(r.rtp);
  ASSERT_GT(packets.size(), 20u);
  const int step = MaxSeqStep(packets);
  EXPECT_GE(step, 2);
  EXPECT_LE(step, 6);  // 1-5 packets lost at a time
  const Received rc = Collect(*clean, 1200ms);
  EXPECT_EQ(MaxSeqStep(Parse(rc.rtp)), 1);  // the other camera is untouched
}

TEST_F(CamsimFaultTest, TimestampJumps) {
  StartServer({"tsjump=0.5"}, 4);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  const Received received = Collect(*c, 1200ms);
  const auto packets = Parse(received.rtp);
  ASSERT_GT(packets.size(), 20u);
  int jumps = 0;
  for (size_t i = 1; i < packets.size(); ++i) {
    const uint32_t step = packets[i].timestamp - packets[i - 1].timestamp;
    if (step >= 10 * 90000)
      ++jumps;
    else
      EXPECT_LE(step, 9000u) << i;  // otherwise one frame (10 fps) at a time
  }
  EXPECT_GE(jumps, 1);
  EXPECT_EQ(MaxSeqStep(packets), 1);
}

TEST_F(CamsimFaultTest, SpsChangeSwitchesToTheAltFileInBand) {
  auto alt = testing::SyntheticH264File(60, 10, /*hd=*/true);
  ASSERT_NE(alt, nullptr);
  StartServer({"spschange=0.5,alt=" + alt->path()}, 4);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  auto play = testing::Play(*c, rs_->Url("cam0"));
  ASSERT_TRUE(play.ok()) << play.status();
  const Received received = Collect(*c, 1500ms);
  const auto packets = Parse(received.rtp);
  auto depacketizer = rtsp::Depacketizer::Create(media::Codec::kH264);
  ASSERT_TRUE(depacketizer->SetSdpParameterSets(play->sdp.media[0].fmtp).ok());
  const Bytes sd(std::begin(media::testdata::kPets360pH264Sps),
                 std::end(media::testdata::kPets360pH264Sps));
  const Bytes hd(std::begin(media::testdata::kPets1080pH264Sps),
                 std::end(media::testdata::kPets1080pH264Sps));
  std::vector<int> sps_seen;  // 0: SD, 1: HD, in order
  for (const rtsp::RtpPacket& p : packets) {
    const Status pushed = depacketizer->Push(p);
    ASSERT_TRUE(pushed.ok()) << pushed;
    while (auto au = depacketizer->Pop()) {
      auto nals = media::SplitLengthPrefixed(au->data, 4);
      ASSERT_TRUE(nals.ok());
      for (ByteSpan nal : *nals) {
        if (media::ClassifyNal(media::Codec::kH264, nal) != media::NalRole::kSps) continue;
        const Bytes sps(nal.begin(), nal.end());
        EXPECT_TRUE(sps == sd || sps == hd);
        sps_seen.push_back(sps == hd ? 1 : 0);
        EXPECT_TRUE(au->keyframe);  // the switch happens at a keyframe
      }
    }
  }
  ASSERT_GE(sps_seen.size(), 3u);
  EXPECT_EQ(sps_seen[0], 0);  // starts with the file the SDP describes
  EXPECT_NE(std::find(sps_seen.begin(), sps_seen.end(), 1), sps_seen.end());
  // The SDP still advertises the original SPS.
  EXPECT_EQ(rs_->server().clip("cam0")->sps(), sd);
  // Timestamps stay continuous across the switch.
  for (size_t i = 1; i < packets.size(); ++i) {
    EXPECT_LE(packets[i].timestamp - packets[i - 1].timestamp, 9000u);
  }
}

TEST_F(CamsimFaultTest, SlowCameraDelaysResponses) {
  StartServer({"slow=300"}, 4);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  // DESCRIBE names the camera; from then on the connection is slow.
  ASSERT_TRUE(c->Request("DESCRIBE", rs_->Url("cam0")).has_value());
  const auto t0 = Steady::now();
  auto r = c->Request("OPTIONS", rs_->Url("cam0"));
  ASSERT_TRUE(r.has_value());
  EXPECT_GE(Steady::now() - t0, 290ms);
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  // Packets arrive whole and in order even though they are written in small pieces.
  const Received received = Collect(*c, 1s);
  const auto packets = Parse(received.rtp);
  EXPECT_GT(packets.size(), 20u);
  EXPECT_EQ(MaxSeqStep(packets), 1);
}

TEST_F(CamsimFaultTest, QuirkMarkerNeverAndAlways) {
  StartServer({"quirk=marker-never", "quirk=marker-always", ""}, 4);
  std::vector<std::unique_ptr<TestRtspClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(Connect());
    ASSERT_TRUE(testing::Play(*clients.back(), rs_->Url("cam" + std::to_string(i))).ok());
  }
  std::vector<int> markers(3, 0);
  std::vector<size_t> totals(3, 0);
  for (int i = 0; i < 3; ++i) {
    const Received received = Collect(*clients[i], 800ms);
    const auto packets = Parse(received.rtp);
    totals[i] = packets.size();
    for (const auto& p : packets) markers[i] += p.marker ? 1 : 0;
    ASSERT_GT(totals[i], 10u);
  }
  EXPECT_EQ(markers[0], 0);
  EXPECT_EQ(static_cast<size_t>(markers[1]), totals[1]);
  EXPECT_GT(markers[2], 0);  // normal: one per frame
  EXPECT_LT(static_cast<size_t>(markers[2]), totals[2]);
}

TEST_F(CamsimFaultTest, QuirkStrayChannel) {
  StartServer({"quirk=stray-channel"}, 4);
  auto c = Connect();
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  const Received r = Collect(*c, 1500ms);
  ASSERT_FALSE(r.other.empty());
  EXPECT_EQ(r.other[0].channel, 7);
  EXPECT_FALSE(r.rtp.empty());
}

TEST_F(CamsimFaultTest, QuirkRtcpBeforePlay) {
  StartServer({"quirk=rtcp-before-play", ""}, 4);
  for (int cam = 0; cam < 2; ++cam) {
    auto c = Connect();
    ASSERT_TRUE(testing::Play(*c, rs_->Url("cam" + std::to_string(cam))).ok());
    // Responses: OPTIONS, DESCRIBE, SETUP, PLAY. Was channel 1 seen before the 4th?
    const std::vector<int>& order = c->arrival_order();
    int responses = 0;
    bool rtcp_before_play = false;
    for (int item : order) {
      if (item == 'R') ++responses;
      if (item == 1 && responses < 4) rtcp_before_play = true;
    }
    EXPECT_EQ(rtcp_before_play, cam == 0) << "cam" << cam;
  }
}

TEST_F(CamsimFaultTest, QuirkBogusRtpInfo) {
  StartServer({"quirk=bogus-rtpinfo", ""}, 4);
  for (int cam = 0; cam < 2; ++cam) {
    auto c = Connect();
    auto play = testing::Play(*c, rs_->Url("cam" + std::to_string(cam)));
    ASSERT_TRUE(play.ok());
    const auto seq = testing::RtpInfoField(play->rtp_info, "seq");
    const auto rtptime = testing::RtpInfoField(play->rtp_info, "rtptime");
    ASSERT_TRUE(seq && rtptime);
    const Received received = Collect(*c, 300ms);
    const auto packets = Parse(received.rtp);
    ASSERT_FALSE(packets.empty());
    const bool matches = packets[0].sequence == *seq && packets[0].timestamp == *rtptime;
    EXPECT_EQ(matches, cam == 1) << "cam" << cam;
  }
}

TEST_F(CamsimFaultTest, QuirkAnnexBInRtp) {
  StartServer({"quirk=annexb-in-rtp"}, 4);
  auto c = Connect();
  ASSERT_TRUE(testing::Play(*c, rs_->Url("cam0")).ok());
  const Received received = Collect(*c, 800ms);
  const auto packets = Parse(received.rtp);
  int with_start_code = 0;
  for (const auto& p : packets) {
    if (p.payload.size() > 5 && p.payload[0] == 0 && p.payload[1] == 0 && p.payload[2] == 0 &&
        p.payload[3] == 1) {
      ++with_start_code;
      EXPECT_EQ(p.payload[4] & 0x1f, 1);  // the synthetic P slices are single NAL packets
    }
  }
  EXPECT_GT(with_start_code, 0);
}

TEST_F(CamsimFaultTest, QuirkNoSrSendsNoSenderReports) {
  StartServer({"quirk=no-sr", ""}, 4);
  for (int cam = 0; cam < 2; ++cam) {
    auto c = Connect();
    ASSERT_TRUE(testing::Play(*c, rs_->Url("cam" + std::to_string(cam))).ok());
    const Received r = Collect(*c, 1200ms);
    EXPECT_FALSE(r.rtp.empty()) << "cam" << cam;
    EXPECT_EQ(r.rtcp.empty(), cam == 0) << "cam" << cam;
    if (cam == 1) {
      // The first sender report precedes the first RTP packet, so every frame can be stamped
      // from the camera's clock.
      const std::vector<int>& order = c->arrival_order();
      EXPECT_LT(std::find(order.begin(), order.end(), 1), std::find(order.begin(), order.end(), 0));
    }
  }
}

// The sender reports' clock is the wall time at which each frame is sent: no frame arrives
// before the time its SR gives it, and frames arrive at that time (the smallest delay over
// two seconds on loopback is well under 20 ms even on a loaded machine).
TEST_F(CamsimFaultTest, SenderReportsCarryTheTimeEachFrameIsSent) {
  StartServer({"", "clock_offset=-3600000"}, 1);
  for (int cam = 0; cam < 2; ++cam) {
    const auto offset = cam == 0 ? 0ms : -3600000ms;
    auto c = Connect();
    ASSERT_TRUE(testing::Play(*c, rs_->Url("cam" + std::to_string(cam))).ok());
    // Steady arrival times to wall time on the cameras' clock, sampled once (its wall time
    // moves with the steady clock).
    const WallTime wall0 = testing::TestCameraClock().WallNow();
    const Steady::time_point steady0 = testing::TestCameraClock().Now();
    const Received r = Collect(*c, 2000ms);
    ASSERT_FALSE(r.rtcp.empty());
    auto sr = rtsp::ParseRtcpCompound(r.rtcp[0].data);
    ASSERT_TRUE(sr.ok() && sr->has_value()) << sr.status();
    const WallTime sr_wall = rtsp::NtpToWallTime((*sr)->ntp_timestamp);
    const WallTime sr_arrival = wall0 + (r.rtcp[0].arrival - steady0);
    // clock_offset: this camera's clock is an hour behind ours.
    EXPECT_LE(std::chrono::abs(sr_wall - offset - sr_arrival), 50ms) << "cam" << cam;
    const std::vector<rtsp::RtpPacket> packets = Parse(r.rtp);
    ASSERT_GT(packets.size(), 10u);
    auto min_late = std::chrono::nanoseconds::max();
    for (size_t i = 0; i < packets.size(); ++i) {
      const int32_t ticks = static_cast<int32_t>(packets[i].timestamp - (*sr)->rtp_timestamp);
      const WallTime due = sr_wall - offset + std::chrono::microseconds(int64_t{ticks} * 100 / 9);
      const auto late = wall0 + (r.rtp[i].arrival - steady0) - due;
      EXPECT_GE(late, -2ms) << "cam" << cam << " packet " << i;
      min_late = std::min(min_late, std::chrono::duration_cast<std::chrono::nanoseconds>(late));
    }
    EXPECT_LE(min_late, 20ms) << "cam" << cam;
  }
}

}  // namespace
}  // namespace sightline::camsim
