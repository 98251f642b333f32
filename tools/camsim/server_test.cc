#include "tools/camsim/server.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <thread>

#include "rtsp/auth.h"
#include "rtsp/depacketizer.h"
#include "rtsp/rtp.h"
#include "tools/camsim/camsim_test_util.h"

namespace sightline::camsim {
namespace {

using namespace std::chrono_literals;
using testing::Play;
using testing::ReceivedFrame;
using testing::RunningServer;
using testing::TestOptions;
using testing::TestRtspClient;

// Receives `count` RTP packets on channel 0, keeping RTCP (channel 1) aside.
std::vector<ReceivedFrame> ReceiveRtp(TestRtspClient& c, size_t count,
                                      std::vector<ReceivedFrame>* rtcp = nullptr,
                                      std::chrono::milliseconds timeout = 10s) {
  std::vector<ReceivedFrame> out;
  const auto deadline = testing::Steady::now() + timeout;
  while (out.size() < count && testing::Steady::now() < deadline) {
    auto f = c.NextFrame(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - testing::Steady::now()));
    if (!f) break;
    if (f->channel == 0) {
      out.push_back(std::move(*f));
    } else if (rtcp != nullptr && f->channel == 1) {
      rtcp->push_back(std::move(*f));
    }
  }
  return out;
}

TEST(CamsimServerTest, ParseListenAddress) {
  auto v4 = ParseListenAddress("127.0.0.1:8554");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->first, "127.0.0.1");
  EXPECT_EQ(v4->second, 8554);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  EXPECT_EQ(v6->second, 0);
  EXPECT_FALSE(ParseListenAddress("127.0.0.1").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:99999").ok());
  EXPECT_FALSE(ParseListenAddress("[::1]8554").ok());
}

TEST(CamsimServerTest, StartErrors) {
  boost::asio::io_context io;
  Options none;
  none.listen = "127.0.0.1:0";
  EXPECT_FALSE(Server::Start(io, none).ok());
  auto missing = Server::Start(io, TestOptions({"name=a,file=/nonexistent/x.mp4"}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("camera a"), std::string::npos) << missing.status();
  auto file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(file, nullptr);
  auto twice = Server::Start(
      io, TestOptions({"name=a,file=" + file->path(), "name=a,file=" + file->path()}));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("twice"), std::string::npos) << twice.status();
}

TEST(CamsimServerTest, UnknownCameraIs404) {
  auto file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(file, nullptr);
  auto rs = RunningServer::Start(TestOptions({"name=cam0,file=" + file->path()}));
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  auto c = TestRtspClient::Connect(rs->port());
  ASSERT_NE(c, nullptr);
  auto r = c->Request("DESCRIBE", rs->Url("nope"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status_code, 404);
  auto ok = c->Request("DESCRIBE", rs->Url("cam0"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status_code, 200);
  EXPECT_EQ(ok->Header("Content-Type").value_or(""), "application/sdp");
  auto bad = c->Request("FROBNICATE", rs->Url("cam0"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status_code, 501);
  auto play_first = c->Request("PLAY", rs->Url("cam0"), {{"Session", "123"}});
  ASSERT_TRUE(play_first.has_value());
  EXPECT_EQ(play_first->status_code, 455);
}

// The loopback test of the whole path: RTSP over TCP, interleaved RTP, and payloads that
// depacketize to exactly the clip's frames.
TEST(CamsimServerTest, TcpInterleavedDeliversTheClipsFrames) {
  const std::string path = testing::MediaFile(testing::kPets360p);
  if (path.empty()) GTEST_SKIP() << "../shared/media is missing (see shared/media/README.md)";
  auto rs = RunningServer::Start(TestOptions({"name=cam{0..2},file=" + path}, 8));
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  auto c = TestRtspClient::Connect(rs->port());
  ASSERT_NE(c, nullptr);
  auto play = Play(*c, rs->Url("cam1"));
  ASSERT_TRUE(play.ok()) << play.status();
  EXPECT_NE(play->transport.find("interleaved=0-1"), std::string::npos) << play->transport;
  const auto seq0 = testing::RtpInfoField(play->rtp_info, "seq");
  const auto rtptime0 = testing::RtpInfoField(play->rtp_info, "rtptime");
  ASSERT_TRUE(seq0 && rtptime0) << play->rtp_info;

  std::vector<ReceivedFrame> rtcp;
  const std::vector<ReceivedFrame> frames = ReceiveRtp(*c, 400, &rtcp);
  ASSERT_EQ(frames.size(), 400u);

  const Clip* clip = rs->server().clip("cam1");
  ASSERT_NE(clip, nullptr);
  auto depacketizer = rtsp::Depacketizer::Create(clip->codec());
  ASSERT_TRUE(depacketizer->SetSdpParameterSets(play->sdp.media[0].fmtp).ok());
  std::vector<rtsp::AccessUnit> units;
  uint32_t ssrc = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    auto p = rtsp::ParseRtpPacket(frames[i].data);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->payload_type, 96);
    if (i == 0) {
      ssrc = p->ssrc;
      EXPECT_EQ(p->sequence, *seq0);
      EXPECT_EQ(p->timestamp, static_cast<uint32_t>(*rtptime0));
    }
    EXPECT_EQ(p->ssrc, ssrc);
    EXPECT_EQ(p->sequence, static_cast<uint16_t>(*seq0 + i)) << "packet " << i;
    ASSERT_TRUE(depacketizer->Push(*p).ok());
    while (auto au = depacketizer->Pop()) units.push_back(std::move(*au));
  }
  ASSERT_GT(units.size(), 30u);
  // The stream starts at a keyframe somewhere in the clip and then follows it frame by frame.
  const auto& cf = clip->frames();
  size_t start = cf.size();
  for (size_t i = 0; i < cf.size(); ++i) {
    if (cf[i].data == units[0].data) start = i;
  }
  ASSERT_LT(start, cf.size()) << "first unit is not a frame of the clip";
  EXPECT_TRUE(cf[start].keyframe);
  EXPECT_TRUE(units[0].keyframe);
  for (size_t k = 0; k < units.size(); ++k) {
    const size_t i = (start + k) % cf.size();
    ASSERT_EQ(units[k].data, cf[i].data) << "unit " << k << " vs clip frame " << i;
    // 90 kHz timestamps follow the file's (10 fps: 9000 ticks), across the loop too.
    EXPECT_EQ(units[k].rtp_timestamp, static_cast<uint32_t>(*rtptime0 + 9000 * k));
  }
  // An RTCP sender report for this SSRC came first on channel 1.
  ASSERT_FALSE(rtcp.empty());
  auto sr = rtsp::ParseRtcpCompound(rtcp[0].data);
  ASSERT_TRUE(sr.ok() && sr->has_value());
  EXPECT_EQ((*sr)->ssrc, ssrc);

  // The counter is bumped when a write completes, which may be after the bytes arrived here.
  auto stats = rs->server().stats("cam1");
  for (int i = 0; i < 200 && stats.ok() && stats->packets_sent < 400; ++i) {
    std::this_thread::sleep_for(10ms);
    stats = rs->server().stats("cam1");
  }
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->sessions_started, 1u);
  EXPECT_EQ(stats->sessions_active, 1u);
  EXPECT_GE(stats->packets_sent, 400u);
  EXPECT_EQ(rs->server().stats("cam0")->packets_sent, 0u);

  auto teardown = c->Request("TEARDOWN", rs->Url("cam1"), {{"Session", play->session}});
  ASSERT_TRUE(teardown.has_value());
  EXPECT_EQ(teardown->status_code, 200);
  EXPECT_TRUE(c->WaitClosed(3s));
}

TEST(CamsimServerTest, UdpTransport) {
  auto file = testing::SyntheticH264File(40, 10);
  ASSERT_NE(file, nullptr);
  auto rs = RunningServer::Start(TestOptions({"name=cam0,file=" + file->path()}, 8));
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  // Two client sockets: RTP and RTCP.
  int fds[2];
  uint16_t ports[2];
  for (int i = 0; i < 2; ++i) {
    fds[i] = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fds[i], reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    ::getsockname(fds[i], reinterpret_cast<sockaddr*>(&a), &len);
    ports[i] = ntohs(a.sin_port);
    timeval tv{5, 0};
    ::setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  auto c = TestRtspClient::Connect(rs->port());
  ASSERT_NE(c, nullptr);
  auto play = Play(*c, rs->Url("cam0"), std::pair<int, int>(ports[0], ports[1]));
  ASSERT_TRUE(play.ok()) << play.status();
  EXPECT_NE(play->transport.find("server_port="), std::string::npos) << play->transport;
  const auto seq0 = testing::RtpInfoField(play->rtp_info, "seq");
  ASSERT_TRUE(seq0.has_value());
  uint8_t buf[2048];
  for (int i = 0; i < 100; ++i) {
    const ssize_t n = ::recv(fds[0], buf, sizeof(buf), 0);
    ASSERT_GT(n, 12) << "packet " << i;
    auto p = rtsp::ParseRtpPacket(ByteSpan(buf, static_cast<size_t>(n)));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->sequence, static_cast<uint16_t>(*seq0 + i));
  }
  const ssize_t n = ::recv(fds[1], buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  auto sr = rtsp::ParseRtcpCompound(ByteSpan(buf, static_cast<size_t>(n)));
  ASSERT_TRUE(sr.ok() && sr->has_value());
  // Nothing arrives on the RTSP connection but responses.
  EXPECT_FALSE(c->NextFrame(100ms).has_value());
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(CamsimServerTest, DigestAuth) {
  auto file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(file, nullptr);
  Options o = TestOptions({"name=open,file=" + file->path(),
                           "name=own,file=" + file->path() + ",user=cam,password=secret"});
  o.user = "admin";
  o.password = "pw";
  auto rs = RunningServer::Start(o);
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  auto c = TestRtspClient::Connect(rs->port());
  ASSERT_NE(c, nullptr);
  const std::string url = rs->Url("open");
  auto challenge_resp = c->Request("DESCRIBE", url);
  ASSERT_TRUE(challenge_resp.has_value());
  ASSERT_EQ(challenge_resp->status_code, 401);
  auto challenge = rtsp::ChooseChallenge(challenge_resp->Headers("WWW-Authenticate"));
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->scheme, rtsp::AuthChallenge::Scheme::kDigest);

  auto wrong = c->Request("DESCRIBE", url,
                          {{"Authorization", rtsp::AuthorizationHeader(
                                                 *challenge, {"admin", "nope"}, "DESCRIBE", url)}});
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status_code, 401);
  EXPECT_EQ(rs->server().stats("open")->auth_failures, 1u);

  auto right = c->Request(
      "DESCRIBE", url,
      {{"Authorization", rtsp::AuthorizationHeader(*challenge, {"admin", "pw"}, "DESCRIBE", url)}});
  ASSERT_TRUE(right.has_value());
  EXPECT_EQ(right->status_code, 200);

  // A camera with its own credentials does not take the server's.
  const std::string own = rs->Url("own");
  auto server_creds = c->Request(
      "DESCRIBE", own,
      {{"Authorization", rtsp::AuthorizationHeader(*challenge, {"admin", "pw"}, "DESCRIBE", own)}});
  ASSERT_TRUE(server_creds.has_value());
  EXPECT_EQ(server_creds->status_code, 401);
  auto cam_creds =
      c->Request("DESCRIBE", own,
                 {{"Authorization",
                   rtsp::AuthorizationHeader(*challenge, {"cam", "secret"}, "DESCRIBE", own)}});
  ASSERT_TRUE(cam_creds.has_value());
  EXPECT_EQ(cam_creds->status_code, 200);
  EXPECT_EQ(rs->server().stats("own")->auth_failures, 1u);
}

TEST(CamsimServerTest, SessionTimeoutAndKeepalive) {
  auto file = testing::SyntheticH264File(20, 10);
  ASSERT_NE(file, nullptr);
  Options o = TestOptions({"name=cam0,file=" + file->path()});
  o.session_timeout = 400ms;
  auto rs = RunningServer::Start(o);
  ASSERT_TRUE(rs->status().ok()) << rs->status();

  auto kept = TestRtspClient::Connect(rs->port());
  auto idle = TestRtspClient::Connect(rs->port());
  ASSERT_TRUE(kept && idle);
  ASSERT_TRUE(idle->Request("OPTIONS", rs->Url("cam0")).has_value());
  const auto t0 = testing::Steady::now();
  // GET_PARAMETER every 150 ms keeps one connection open well past the timeout.
  for (int i = 0; i < 8; ++i) {
    auto r = kept->Request("GET_PARAMETER", rs->Url("cam0"));
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->status_code, 200);
    std::this_thread::sleep_for(150ms);
  }
  EXPECT_FALSE(kept->eof());
  // The idle one was closed in the meantime.
  EXPECT_TRUE(idle->WaitClosed(2s));
  EXPECT_GE(testing::Steady::now() - t0, 350ms);
}

TEST(CamsimServerTest, SeveralClientsPerCamera) {
  auto file = testing::SyntheticH264File(40, 10);
  ASSERT_NE(file, nullptr);
  auto rs = RunningServer::Start(TestOptions({"name=cam0,file=" + file->path()}, 8));
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  auto a = TestRtspClient::Connect(rs->port());
  auto b = TestRtspClient::Connect(rs->port());
  ASSERT_TRUE(a && b);
  auto pa = Play(*a, rs->Url("cam0"));
  auto pb = Play(*b, rs->Url("cam0"));
  ASSERT_TRUE(pa.ok() && pb.ok());
  EXPECT_NE(pa->session, pb->session);
  const auto fa = ReceiveRtp(*a, 50);
  const auto fb = ReceiveRtp(*b, 50);
  ASSERT_EQ(fa.size(), 50u);
  ASSERT_EQ(fb.size(), 50u);
  // Random SSRC per session.
  EXPECT_NE(rtsp::ParseRtpPacket(fa[0].data)->ssrc, rtsp::ParseRtpPacket(fb[0].data)->ssrc);
  auto s = rs->server().stats("cam0");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->sessions_started, 2u);
  EXPECT_EQ(s->sessions_active, 2u);
  EXPECT_EQ(rs->server().total_stats().sessions_started, 2u);
  a.reset();
  const auto deadline = testing::Steady::now() + 3s;
  while (rs->server().stats("cam0")->sessions_active != 1 && testing::Steady::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(rs->server().stats("cam0")->sessions_active, 1u);
}

// A client that stops reading gets frames skipped up to keyframes; another camera's client is
// not held up meanwhile.
TEST(CamsimServerTest, SlowReaderSkipsFramesWithoutBlockingOthers) {
  auto file = testing::SyntheticH264File(40, 10);
  ASSERT_NE(file, nullptr);
  Options o = TestOptions({"name=slow,file=" + file->path(), "name=fast,file=" + file->path()}, 8);
  o.send_buffer_bytes = 4096;
  o.max_lag = 200ms;
  auto rs = RunningServer::Start(o);
  ASSERT_TRUE(rs->status().ok()) << rs->status();
  auto slow = TestRtspClient::Connect(rs->port(), 4096);
  auto fast = TestRtspClient::Connect(rs->port());
  ASSERT_TRUE(slow && fast);
  ASSERT_TRUE(Play(*slow, rs->Url("slow")).ok());
  ASSERT_TRUE(Play(*fast, rs->Url("fast")).ok());
  // Read only the fast camera for 2 s (16 s of video at speed 8: ~200 packets).
  const auto frames = ReceiveRtp(*fast, 100000, nullptr, 2s);
  ASSERT_GT(frames.size(), 150u);
  for (size_t i = 1; i < frames.size(); ++i) {
    ASSERT_LT(frames[i].arrival - frames[i - 1].arrival, 1s) << "fast camera stalled at " << i;
  }
  EXPECT_EQ(rs->server().stats("fast")->frames_skipped, 0u);
  // When the slow client reads again, it sees time jump forward to a keyframe (SPS and PPS
  // in a STAP-A, RFC 6184 section 5.7.1), without a sequence gap: the frames were never sent.
  const auto late = ReceiveRtp(*slow, 2000, nullptr, 1s);
  ASSERT_GT(late.size(), 50u);
  bool jumped_to_keyframe = false;
  for (size_t i = 1; i < late.size(); ++i) {
    auto prev = rtsp::ParseRtpPacket(late[i - 1].data);
    auto cur = rtsp::ParseRtpPacket(late[i].data);
    ASSERT_TRUE(prev.ok() && cur.ok());
    EXPECT_EQ(cur->sequence, static_cast<uint16_t>(prev->sequence + 1));
    if (cur->timestamp - prev->timestamp > 9000 && (cur->payload[0] & 0x1f) == 24) {
      jumped_to_keyframe = true;
    }
  }
  EXPECT_TRUE(jumped_to_keyframe);
  // Counted once its blocked write went through and the session found itself behind.
  EXPECT_GT(rs->server().stats("slow")->frames_skipped, 0u);
}

}  // namespace
}  // namespace sightline::camsim
