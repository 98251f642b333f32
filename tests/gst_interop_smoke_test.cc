// Interop smoke test against GStreamer's RTSP server (tests/gst_rtsp_server.c), without
// Sightline's client: OPTIONS and DESCRIBE by hand over a socket, parsed with Sightline's
// message and SDP parsers; Digest auth answered with Sightline's auth code; and the served
// access units checked bit-exact against the file through libavformat's RTSP demuxer, which
// proves the server pipeline adds and drops nothing before the client tests rely on it.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "rtsp/auth.h"
#include "rtsp/base64.h"
#include "rtsp/message.h"
#include "rtsp/sdp.h"
#include "support/child_process.h"
#include "support/demux.h"
#include "support/shared_media.h"
#include "support/tcp_connection.h"

namespace sightline::testing {
namespace {

constexpr int kTimeoutMs = 10000;

// Sends `request` and reads until one whole response has arrived.
Result<rtsp::RtspMessage> Exchange(TcpConnection& conn, const rtsp::RtspMessage& request) {
  RETURN_IF_ERROR(conn.Write(request.Serialize()));
  std::string received;
  while (true) {
    rtsp::RtspMessage response;
    ASSIGN_OR_RETURN(const size_t used, rtsp::ParseRtspMessage(received, &response));
    if (used > 0) return response;
    Result<std::string> more = conn.Read(kTimeoutMs);
    if (!more.ok()) return std::move(more).status().WithContext(request.method + " response");
    received += *more;
  }
}

rtsp::RtspMessage Request(std::string method, std::string uri, int cseq) {
  rtsp::RtspMessage m;
  m.method = std::move(method);
  m.uri = std::move(uri);
  m.AddHeader("CSeq", std::to_string(cseq));
  m.AddHeader("User-Agent", "sightline-interop-test");
  return m;
}

// The NAL unit of `type` (H.264 nal_unit_type) in a length-prefixed access unit.
std::optional<Bytes> FindH264Nal(const Bytes& au, int type) {
  ByteReader r(au);
  uint32_t n = 0;
  ByteSpan nal;
  while (r.ReadBe32(&n) && r.ReadSpan(n, &nal)) {
    if (!nal.empty() && (nal[0] & 0x1f) == type) return Bytes(nal.begin(), nal.end());
  }
  return std::nullopt;
}

class GstInteropSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h264_file_ = SharedMediaFile(kPets360H264);
    h265_file_ = SharedMediaFile(kPets1080H265);
    if (!h264_file_ || !h265_file_) GTEST_SKIP() << kNoSharedMediaMessage;
  }

  // Starts the server with /h264 and /h265 mounts plus `extra` arguments.
  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "--port", "0", "--mount", "/h264=" + *h264_file_, "--mount", "/h265=" + *h265_file_};
    args.insert(args.end(), extra.begin(), extra.end());
    Result<ListeningServer> server = StartListeningServer(SIGHTLINE_GST_RTSP_SERVER, args);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
  }

  std::string Url(std::string_view path) const {
    return "rtsp://127.0.0.1:" + std::to_string(server_.port) + std::string(path);
  }

  std::unique_ptr<TcpConnection> Connect() {
    Result<std::unique_ptr<TcpConnection>> conn = TcpConnection::Connect("127.0.0.1", server_.port);
    EXPECT_TRUE(conn.ok()) << conn.status();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  // Reads the first `n` access units from the server with libavformat and from the file, and
  // expects them byte for byte equal.
  void ExpectServedBitExact(const std::string& path, const std::string& file, size_t n) {
    DemuxOptions over_rtsp;
    over_rtsp.max_frames = n;
    over_rtsp.timeout_ms = 30000;
    over_rtsp.format_options = {{"rtsp_transport", "tcp"}};
    Result<std::vector<SourceFrame>> served = Demux(Url(path), over_rtsp);
    ASSERT_TRUE(served.ok()) << served.status();
    DemuxOptions from_file;
    from_file.max_frames = n;
    Result<std::vector<SourceFrame>> want = Demux(file, from_file);
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_EQ(served->size(), n);
    ASSERT_EQ(want->size(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ((*served)[i].data.size(), (*want)[i].data.size()) << "frame " << i;
      EXPECT_EQ((*served)[i].hash, (*want)[i].hash) << "frame " << i;
      EXPECT_EQ((*served)[i].keyframe, (*want)[i].keyframe) << "frame " << i;
    }
  }

  std::optional<std::string> h264_file_;
  std::optional<std::string> h265_file_;
  ListeningServer server_;
};

TEST_F(GstInteropSmokeTest, OptionsAndDescribeAnswerWithH264Sdp) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::unique_ptr<TcpConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);

  Result<rtsp::RtspMessage> options = Exchange(*conn, Request("OPTIONS", Url("/h264"), 1));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->is_response);
  EXPECT_EQ(options->status_code, 200);
  EXPECT_EQ(options->CSeq(), 1);
  ASSERT_TRUE(options->Header("Public").has_value());
  EXPECT_NE(options->Header("public")->find("DESCRIBE"), std::string_view::npos);

  rtsp::RtspMessage describe = Request("DESCRIBE", Url("/h264"), 2);
  describe.AddHeader("Accept", "application/sdp");
  Result<rtsp::RtspMessage> response = Exchange(*conn, describe);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code, 200);
  EXPECT_EQ(response->CSeq(), 2);
  EXPECT_EQ(response->Header("Content-Type").value_or(""), "application/sdp");

  Result<rtsp::Sdp> sdp = rtsp::ParseSdp(response->body);
  ASSERT_TRUE(sdp.ok()) << sdp.status() << "\n" << response->body;
  ASSERT_EQ(sdp->media.size(), 1u) << response->body;
  const rtsp::SdpMedia& video = sdp->media[0];
  EXPECT_EQ(video.type, "video");
  EXPECT_EQ(video.payload_type, 96);
  EXPECT_EQ(video.encoding, "H264");
  EXPECT_EQ(video.clock_rate, 90000);
  EXPECT_FALSE(video.control.empty());
  EXPECT_EQ(video.fmtp.count("packetization-mode"), 1u) << response->body;

  // The SPS the SDP announces (RFC 6184 section 8.1) is the one in the file's first sample.
  ASSERT_EQ(video.fmtp.count("sprop-parameter-sets"), 1u) << response->body;
  const std::string& sprop = video.fmtp.at("sprop-parameter-sets");
  Result<Bytes> sps = rtsp::Base64Decode(sprop.substr(0, sprop.find(',')));
  ASSERT_TRUE(sps.ok()) << sps.status();
  DemuxOptions first;
  first.max_frames = 1;
  Result<std::vector<SourceFrame>> frames = Demux(*h264_file_, first);
  ASSERT_TRUE(frames.ok()) << frames.status();
  ASSERT_EQ(frames->size(), 1u);
  EXPECT_EQ(FindH264Nal(frames->front().data, 7), *sps);
}

TEST_F(GstInteropSmokeTest, DescribeOfH265MountAnnouncesH265) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::unique_ptr<TcpConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<rtsp::RtspMessage> response = Exchange(*conn, Request("DESCRIBE", Url("/h265"), 1));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code, 200);
  Result<rtsp::Sdp> sdp = rtsp::ParseSdp(response->body);
  ASSERT_TRUE(sdp.ok()) << sdp.status() << "\n" << response->body;
  ASSERT_EQ(sdp->media.size(), 1u);
  EXPECT_EQ(sdp->media[0].encoding, "H265");
  EXPECT_EQ(sdp->media[0].clock_rate, 90000);
  // RFC 7798 section 7.1: the parameter sets travel as sprop-vps/-sps/-pps.
  EXPECT_EQ(sdp->media[0].fmtp.count("sprop-vps"), 1u) << response->body;
  EXPECT_EQ(sdp->media[0].fmtp.count("sprop-sps"), 1u) << response->body;
}

TEST_F(GstInteropSmokeTest, UnknownMountIsNotFound) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::unique_ptr<TcpConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<rtsp::RtspMessage> response = Exchange(*conn, Request("DESCRIBE", Url("/nope"), 1));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code, 404);
}

TEST_F(GstInteropSmokeTest, DigestChallengeAnsweredBySightlineAuth) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--user", "admin", "--password", "s3cret"}));
  std::unique_ptr<TcpConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);

  Result<rtsp::RtspMessage> denied = Exchange(*conn, Request("DESCRIBE", Url("/h264"), 1));
  ASSERT_TRUE(denied.ok()) << denied.status();
  ASSERT_EQ(denied->status_code, 401);
  const std::vector<std::string_view> challenges = denied->Headers("WWW-Authenticate");
  ASSERT_FALSE(challenges.empty());
  Result<rtsp::AuthChallenge> challenge = rtsp::ChooseChallenge(challenges);
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->scheme, rtsp::AuthChallenge::Scheme::kDigest);
  EXPECT_FALSE(challenge->nonce.empty());

  rtsp::RtspMessage retry = Request("DESCRIBE", Url("/h264"), 2);
  retry.AddHeader("Authorization", rtsp::AuthorizationHeader(*challenge, {"admin", "s3cret"},
                                                             "DESCRIBE", Url("/h264")));
  Result<rtsp::RtspMessage> allowed = Exchange(*conn, retry);
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->status_code, 200);

  rtsp::RtspMessage wrong = Request("DESCRIBE", Url("/h264"), 3);
  wrong.AddHeader("Authorization", rtsp::AuthorizationHeader(*challenge, {"admin", "wrong"},
                                                             "DESCRIBE", Url("/h264")));
  Result<rtsp::RtspMessage> refused = Exchange(*conn, wrong);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status_code, 401);
}

TEST_F(GstInteropSmokeTest, BasicChallengeAnsweredBySightlineAuth) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({"--user", "admin", "--password", "s3cret", "--auth", "basic"}));
  std::unique_ptr<TcpConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<rtsp::RtspMessage> denied = Exchange(*conn, Request("DESCRIBE", Url("/h264"), 1));
  ASSERT_TRUE(denied.ok()) << denied.status();
  ASSERT_EQ(denied->status_code, 401);
  Result<rtsp::AuthChallenge> challenge =
      rtsp::ChooseChallenge(denied->Headers("WWW-Authenticate"));
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->scheme, rtsp::AuthChallenge::Scheme::kBasic);

  rtsp::RtspMessage retry = Request("DESCRIBE", Url("/h264"), 2);
  retry.AddHeader("Authorization", rtsp::AuthorizationHeader(*challenge, {"admin", "s3cret"},
                                                             "DESCRIBE", Url("/h264")));
  Result<rtsp::RtspMessage> allowed = Exchange(*conn, retry);
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->status_code, 200);
}

// 25 frames (2.5 s: the server paces in real time) cover an IDR, the P frames after it and
// the next keyframe's parameter sets.
TEST_F(GstInteropSmokeTest, ServesH264AccessUnitsBitExact) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ExpectServedBitExact("/h264", *h264_file_, 25);
}

TEST_F(GstInteropSmokeTest, ServesH265AccessUnitsBitExact) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ExpectServedBitExact("/h265", *h265_file_, 25);
}

// Unshared mounts: a client that joins while another is streaming still starts at the first
// sample, not where the other client's stream has got to.
TEST_F(GstInteropSmokeTest, EachClientStartsAtTheFirstFrame) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  DemuxOptions options;
  options.max_frames = 20;
  options.timeout_ms = 30000;
  options.format_options = {{"rtsp_transport", "tcp"}};
  std::optional<Result<std::vector<SourceFrame>>> early;
  std::thread first([&] { early.emplace(Demux(Url("/h264"), options)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ExpectServedBitExact("/h264", *h264_file_, 3);
  first.join();
  ASSERT_TRUE(early.has_value());
  ASSERT_TRUE(early->ok()) << early->status();
  // Nor did the late client disturb the early one (a shared pipeline would be seeked back to
  // the start by the late client's "Range: npt=0-").
  DemuxOptions from_file;
  from_file.max_frames = 20;
  Result<std::vector<SourceFrame>> want = Demux(*h264_file_, from_file);
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ((*early)->size(), 20u);
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ((**early)[i].hash, (*want)[i].hash) << "frame " << i;
  }
}

}  // namespace
}  // namespace sightline::testing
