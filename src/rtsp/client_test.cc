// Tests of the Asio client against a scripted fake camera on loopback: the session flow,
// authentication, the camera quirks that live at the session level, stalls and reconnects.
// Camsim-based and GStreamer interop tests are in tests/.
#include "rtsp/client.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "media/nal.h"
#include "media/test_param_sets.h"
#include "rtsp/auth.h"
#include "rtsp/interleaved.h"
#include "rtsp/packetizer.h"
#include "rtsp/rtp.h"

namespace sightline::rtsp {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct FakeCameraOptions {
  bool digest = false;
  bool omit_cseq = false;          // quirk: responses without CSeq
  bool rtcp_before_play = false;   // quirk: RTCP SR sent before the PLAY response
  bool stray_channel = false;      // quirk: data on an interleaved channel never set up
  std::pair<int, int> channels{0, 1};  // camera-chosen interleaved channels
  int frames_per_connection = -1;  // close the connection after this many frames
  int stall_after = -1;            // stop sending (but stay connected) after this many frames
};

// A camera that speaks just enough RTSP, sending `aus` (length-prefixed H.264) over TCP
// interleaved, one frame every 5 ms.
class FakeCamera {
 public:
  FakeCamera(asio::io_context& io, FakeCameraOptions options, std::vector<Bytes> aus)
      : io_(io), options_(options), aus_(std::move(aus)), acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io_, Accept(), asio::detached);
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections = 0;
  int auth_failures = 0;
  int keepalives = 0;

 private:
  awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUseTuple);
      if (ec) co_return;
      ++connections;
      asio::co_spawn(io_, Serve(std::make_shared<tcp::socket>(std::move(socket))), asio::detached);
    }
  }

  awaitable<void> Write(std::shared_ptr<tcp::socket> s, const std::string& data) {
    co_await asio::async_write(*s, asio::buffer(data), kUseTuple);
  }

  awaitable<void> Serve(std::shared_ptr<tcp::socket> s) {
    StreamSplitter splitter;
    for (;;) {
      auto buf = splitter.PrepareWrite(4096);
      auto [ec, n] = co_await s->async_read_some(asio::buffer(buf.data(), buf.size()), kUseTuple);
      if (ec) co_return;
      splitter.Commit(n);
      for (;;) {
        auto item = splitter.Next();
        if (!item.ok() || !item->has_value()) break;
        if ((*item)->kind != StreamSplitter::Item::Kind::kMessage) continue;
        RtspMessage req = std::move((*item)->message);
        RtspMessage resp;
        resp.is_response = true;
        resp.status_code = 200;
        resp.reason = "OK";
        if (!options_.omit_cseq) resp.AddHeader("CSeq", std::to_string(req.CSeq().value_or(0)));
        auto auth = req.Header("Authorization");
        if (options_.digest &&
            (!auth || !VerifyDigestAuthorization(*auth, {"admin", "secret"}, "cam", "n0nce", req.method))) {
          if (auth) ++auth_failures;
          resp.status_code = 401;
          resp.reason = "Unauthorized";
          resp.AddHeader("WWW-Authenticate", "Digest realm=\"cam\", nonce=\"n0nce\"");
          co_await Write(s, resp.Serialize());
          continue;
        }
        if (req.method == "OPTIONS") {
          resp.AddHeader("Public", "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN");
        } else if (req.method == "DESCRIBE") {
          resp.AddHeader("Content-Type", "application/sdp");
          resp.AddHeader("Content-Base", "rtsp://127.0.0.1:" + std::to_string(port()) + "/cam/");
          resp.body =
              "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=fake\r\nt=0 0\r\na=control:*\r\n"
              "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
              "a=fmtp:96 packetization-mode=1\r\na=control:track1\r\n";
        } else if (req.method == "SETUP") {
          resp.AddHeader("Session", "F00D;timeout=60");
          resp.AddHeader("Transport", "RTP/AVP/TCP;unicast;interleaved=" + std::to_string(options_.channels.first) +
                                          "-" + std::to_string(options_.channels.second));
        } else if (req.method == "PLAY") {
          if (options_.rtcp_before_play) co_await Write(s, Interleaved(options_.channels.second, SenderReportBytes()));
          resp.AddHeader("Session", "F00D");
          co_await Write(s, resp.Serialize());
          asio::co_spawn(io_, Send(s), asio::detached);
          continue;
        } else if (req.method == "GET_PARAMETER") {
          ++keepalives;
        }
        co_await Write(s, resp.Serialize());
      }
    }
  }

  static Bytes SenderReportBytes() {
    SenderReport sr;
    sr.ssrc = 0x1234;
    sr.ntp_timestamp = WallTimeToNtp(std::chrono::system_clock::now());
    sr.rtp_timestamp = 0;
    Bytes out;
    WriteRtcpSenderReport(sr, out);
    return out;
  }

  static std::string Interleaved(int channel, ByteSpan data) {
    uint8_t header[kInterleavedHeaderBytes];
    WriteInterleavedHeader(static_cast<uint8_t>(channel), data.size(), header);
    std::string out(reinterpret_cast<const char*>(header), sizeof header);
    out.append(reinterpret_cast<const char*>(data.data()), data.size());
    return out;
  }

  awaitable<void> Send(std::shared_ptr<tcp::socket> s) {
    asio::steady_timer timer(io_);
    uint16_t seq = 100;
    for (size_t i = 0;; ++i) {
      if (options_.frames_per_connection >= 0 && static_cast<int>(i) == options_.frames_per_connection) {
        s->close();
        co_return;
      }
      if (options_.stall_after >= 0 && static_cast<int>(i) >= options_.stall_after) {
        // Stalled: connected, answering requests, sending nothing.
        timer.expires_after(std::chrono::milliseconds(50));
        co_await timer.async_wait(kUseTuple);
        if (!s->is_open()) co_return;
        continue;
      }
      std::vector<RtpPayload> payloads;
      PacketizeAccessUnit(media::Codec::kH264, aus_[i % aus_.size()], PacketizerOptions{}, payloads);
      std::string wire;
      if (options_.stray_channel) wire += Interleaved(7, AsBytes("junk on channel seven"));
      for (const RtpPayload& p : payloads) {
        Bytes rtp;
        WriteRtpPacket(96, p.marker, seq++, static_cast<uint32_t>(i * 9000), 0x1234, p.bytes, rtp);
        wire += Interleaved(options_.channels.first, rtp);
      }
      auto [ec, n] = co_await asio::async_write(*s, asio::buffer(wire), kUseTuple);
      if (ec) co_return;
      timer.expires_after(std::chrono::milliseconds(5));
      co_await timer.async_wait(kUseTuple);
    }
  }

  asio::io_context& io_;
  FakeCameraOptions options_;
  std::vector<Bytes> aus_;
  tcp::acceptor acceptor_;
};

// A GOP of synthetic access units: SPS+PPS+IDR (big enough to need FU-A), then P slices.
std::vector<Bytes> MakeGop(int frames) {
  std::mt19937 rng(7);
  std::vector<Bytes> aus;
  for (int i = 0; i < frames; ++i) {
    Bytes au;
    Bytes slice;
    if (i == 0) {
      media::AppendLengthPrefixed(media::testdata::kPets360pH264Sps, au);
      media::AppendLengthPrefixed(media::testdata::kPets360pH264Pps, au);
      slice = {0x65, 0x88};  // IDR slice
      slice.resize(5000);
    } else {
      slice = {0x41, 0x9a};  // non-IDR slice
      slice.resize(300 + i * 10);
    }
    for (size_t k = 2; k < slice.size(); ++k) slice[k] = static_cast<uint8_t>(rng() | 1);
    media::AppendLengthPrefixed(slice, au);
    aus.push_back(std::move(au));
  }
  return aus;
}

bool RunUntil(asio::io_context& io, const std::function<bool()>& done,
              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_for(std::chrono::milliseconds(10));
    if (io.stopped()) io.restart();
  }
  return true;
}

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> MakeClient(uint16_t port, ClientOptions o = {}) {
    o.url = "rtsp://127.0.0.1:" + std::to_string(port) + "/cam";
    o.backoff_initial = std::chrono::milliseconds(50);
    o.backoff_max = std::chrono::milliseconds(200);
    auto c = std::make_unique<Client>(io_.get_executor(), o, [this](media::FramePtr f) { frames_.push_back(f); }, clock_);
    c->Start();
    return c;
  }
  void StopClient(Client& c) {
    bool stopped = false;
    c.Stop([&] { stopped = true; });
    ASSERT_TRUE(RunUntil(io_, [&] { return stopped; }));
  }

  asio::io_context io_;
  RealClock clock_;
  std::vector<media::FramePtr> frames_;
  std::vector<Bytes> gop_ = MakeGop(20);
};

TEST_F(ClientTest, ReceivesEveryFrameBitExactWithParamsAndKeyframes) {
  FakeCamera cam(io_, {}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 45; })) << client->stats().last_error;
  // Frame i carries AU i % 20; the last frame may still be assembling, so check 40.
  for (size_t i = 0; i < 40; ++i) {
    ASSERT_EQ(frames_[i]->data, gop_[i % gop_.size()]) << "frame " << i;
    EXPECT_EQ(frames_[i]->keyframe, i % gop_.size() == 0) << "frame " << i;
    EXPECT_EQ(frames_[i]->pts.ticks() - frames_[0]->pts.ticks(), static_cast<int64_t>(i) * 9000);
  }
  ASSERT_NE(frames_[0]->params, nullptr);
  EXPECT_EQ(frames_[0]->params->width, 640);
  EXPECT_EQ(frames_[0]->params->height, 360);
  ClientStats s = client->stats();
  EXPECT_EQ(s.state, ClientState::kPlaying);
  EXPECT_EQ(s.receiver.packets_lost, 0u);
  EXPECT_EQ(s.connections, 1u);
  StopClient(*client);
}

TEST_F(ClientTest, DigestAuthentication) {
  FakeCamera cam(io_, {.digest = true}, gop_);
  ClientOptions o;
  o.credentials = {"admin", "secret"};
  auto client = MakeClient(cam.port(), o);
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 5; })) << client->stats().last_error;
  EXPECT_EQ(cam.auth_failures, 0);
  StopClient(*client);
}

TEST_F(ClientTest, WrongPasswordIsReportedAndRetriedWithBackoff) {
  FakeCamera cam(io_, {.digest = true}, gop_);
  ClientOptions o;
  o.credentials = {"admin", "wrong"};
  auto client = MakeClient(cam.port(), o);
  ASSERT_TRUE(RunUntil(io_, [&] { return client->stats().reconnects >= 2; }));
  EXPECT_TRUE(frames_.empty());
  EXPECT_NE(client->stats().last_error.find("credentials rejected"), std::string::npos) << client->stats().last_error;
  StopClient(*client);
}

TEST_F(ClientTest, MissingCredentialsAreNamed) {
  FakeCamera cam(io_, {.digest = true}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return !client->stats().last_error.empty(); }));
  EXPECT_NE(client->stats().last_error.find("no credentials"), std::string::npos) << client->stats().last_error;
  StopClient(*client);
}

TEST_F(ClientTest, QuirkRtcpBeforePlayResponse) {
  FakeCamera cam(io_, {.rtcp_before_play = true}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 5; })) << client->stats().last_error;
  EXPECT_GE(client->stats().receiver.sender_reports, 1u);
  EXPECT_EQ(frames_[0]->data, gop_[0]);
  StopClient(*client);
}

TEST_F(ClientTest, QuirkDataOnUnassignedChannel) {
  FakeCamera cam(io_, {.stray_channel = true}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 10; })) << client->stats().last_error;
  EXPECT_GE(client->stats().stray_packets, 9u);
  for (size_t i = 0; i < 9; ++i) EXPECT_EQ(frames_[i]->data, gop_[i]);
  StopClient(*client);
}

TEST_F(ClientTest, QuirkResponsesWithoutCSeq) {
  FakeCamera cam(io_, {.omit_cseq = true}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 5; })) << client->stats().last_error;
  StopClient(*client);
}

TEST_F(ClientTest, CameraChosenInterleavedChannels) {
  FakeCamera cam(io_, {.channels = {4, 5}}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 5; })) << client->stats().last_error;
  EXPECT_EQ(client->stats().stray_packets, 0u);
  StopClient(*client);
}

TEST_F(ClientTest, StallIsDetectedAndReconnects) {
  FakeCamera cam(io_, {.stall_after = 5}, gop_);
  ClientOptions o;
  o.stall_timeout = std::chrono::milliseconds(400);
  auto client = MakeClient(cam.port(), o);
  ASSERT_TRUE(RunUntil(io_, [&] { return cam.connections >= 2 && frames_.size() >= 8; }))
      << client->stats().last_error;
  ClientStats s = client->stats();
  EXPECT_GE(s.stalls, 1u);
  EXPECT_GE(s.reconnects, 1u);
  EXPECT_NE(s.last_error.find("stalled"), std::string::npos) << s.last_error;
  StopClient(*client);
}

TEST_F(ClientTest, ClosedConnectionReconnectsAndMarksDiscontinuity) {
  FakeCamera cam(io_, {.frames_per_connection = 10}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 25; })) << client->stats().last_error;
  EXPECT_GE(client->stats().connections, 3u);
  // Every connection starts on a keyframe; no frame is lost inside a connection.
  EXPECT_TRUE(frames_[0]->keyframe);
  EXPECT_EQ(client->stats().receiver.packets_lost, 0u);
  StopClient(*client);
}

TEST_F(ClientTest, ConnectionRefusedBacksOffAndSaysWhy) {
  tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = probe.local_endpoint().port();
  probe.close();  // nothing listens there now
  auto client = MakeClient(port);
  ASSERT_TRUE(RunUntil(io_, [&] { return client->stats().reconnects >= 3; }));
  const ClientStats s = client->stats();
  EXPECT_NE(s.last_error.find("connecting to 127.0.0.1"), std::string::npos) << s.last_error;
  EXPECT_EQ(s.connections, 0u);
  StopClient(*client);
}

TEST_F(ClientTest, StopEndsDeliveryAndCallsBack) {
  FakeCamera cam(io_, {}, gop_);
  auto client = MakeClient(cam.port());
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 3; }));
  StopClient(*client);
  const size_t n = frames_.size();
  RunUntil(io_, [] { return false; }, std::chrono::milliseconds(100));
  EXPECT_EQ(frames_.size(), n);
  EXPECT_EQ(client->stats().state, ClientState::kStopped);
}

// An ONVIF camera's URL comes from a source asked before every attempt: errors are reported
// and retried like a failed connection, and a URL that changes (a camera that rebooted onto
// another path) is used at the next attempt.
TEST_F(ClientTest, UrlSourceIsAskedBeforeEveryAttempt) {
  FakeCamera cam(io_, {}, gop_);
  int asked = 0;
  ClientOptions o;
  o.url_source = [&]() -> Result<std::string> {
    if (++asked <= 2) return UnavailableError("ONVIF: camera not resolved yet");
    if (asked == 3) return std::string("rtsp://127.0.0.1:1/unreachable");
    return "rtsp://127.0.0.1:" + std::to_string(cam.port()) + "/cam";
  };
  auto client = MakeClient(0, o);  // url_source wins over the url MakeClient sets
  ASSERT_TRUE(RunUntil(io_, [&] { return frames_.size() >= 3; })) << client->stats().last_error;
  EXPECT_GE(asked, 4);
  const ClientStats s = client->stats();
  EXPECT_EQ(s.connections, 1u);
  EXPECT_EQ(s.reconnects, 3u);  // two source errors, one refused connection
  StopClient(*client);
}

TEST_F(ClientTest, RetryNowEndsALongBackoff) {
  FakeCamera cam(io_, {}, gop_);
  bool known = false;
  ClientOptions o;
  o.url_source = [&]() -> Result<std::string> {
    if (!known) return UnavailableError("ONVIF: camera not resolved yet");
    return "rtsp://127.0.0.1:" + std::to_string(cam.port()) + "/cam";
  };
  o.backoff_initial = o.backoff_max = std::chrono::seconds(60);  // far beyond the test's wait
  auto client = std::make_unique<Client>(io_.get_executor(), o, [this](media::FramePtr f) { frames_.push_back(f); },
                                         clock_);
  client->Start();
  ASSERT_TRUE(RunUntil(io_, [&] { return client->stats().state == ClientState::kBackoff; }));
  known = true;
  client->RetryNow();
  ASSERT_TRUE(RunUntil(io_, [&] { return !frames_.empty(); }, std::chrono::seconds(5))) << client->stats().last_error;
  EXPECT_EQ(client->stats().reconnects, 1u);
  StopClient(*client);
}

TEST_F(ClientTest, UrlSourceErrorsAreTheLastError) {
  ClientOptions o;
  o.url_source = []() -> Result<std::string> { return UnavailableError("ONVIF: device 10.0.0.7 unreachable"); };
  auto client = MakeClient(0, o);
  ASSERT_TRUE(RunUntil(io_, [&] { return client->stats().reconnects >= 2; }));
  EXPECT_NE(client->stats().last_error.find("device 10.0.0.7 unreachable"), std::string::npos)
      << client->stats().last_error;
  EXPECT_EQ(client->stats().state == ClientState::kStopped, false);
  StopClient(*client);
}

TEST_F(ClientTest, BadUrlIsReported) {
  ClientOptions o;
  o.url = "http://x/";
  auto c = std::make_unique<Client>(io_.get_executor(), o, [](media::FramePtr) {}, clock_);
  c->Start();
  ASSERT_TRUE(RunUntil(io_, [&] { return !c->stats().last_error.empty(); }));
  EXPECT_NE(c->stats().last_error.find("rtsp://"), std::string::npos);
}

}  // namespace
}  // namespace sightline::rtsp
