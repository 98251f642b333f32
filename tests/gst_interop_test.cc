// Acceptance: interop with an RTSP server nobody here wrote. GStreamer's rtsp-server
// (tests/gst_rtsp_server.c) serves the real footage; the client must receive the access units
// bit-exact (compared with the file demuxed by libavformat), over TCP and UDP, H.264 and
// H.265, and with GStreamer's Digest authentication.
#include <gtest/gtest.h>

#include "ingest_harness.h"
#include "support/child_process.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

// GStreamer paces in real time: 40 frames of 10 fps footage take 4 s, and all clients run
// at once against their own pipelines.
constexpr size_t kFrames = 40;

TEST(GstInteropTest, ClientReceivesGStreamerStreamsBitExact) {
  std::optional<std::string> h264 = SharedMediaFile(kPets1080H264);
  std::optional<std::string> h265 = SharedMediaFile(kPets1080H265);
  std::optional<std::string> sub = SharedMediaFile(kPets360H264);
  if (!h264 || !h265 || !sub) GTEST_SKIP() << kNoSharedMediaMessage;

  Result<ListeningServer> open = StartListeningServer(
      SIGHTLINE_GST_RTSP_SERVER, {"--port", "0", "--mount", "/h264=" + *h264, "--mount", "/h265=" + *h265});
  ASSERT_TRUE(open.ok()) << open.status();
  Result<ListeningServer> locked = StartListeningServer(
      SIGHTLINE_GST_RTSP_SERVER,
      {"--port", "0", "--mount", "/sub=" + *sub, "--user", "admin", "--password", "s3cret", "--auth", "digest"});
  ASSERT_TRUE(locked.ok()) << locked.status();

  struct Case {
    std::string name;
    std::string path;
    uint16_t port;
    rtsp::TransportMode transport;
    bool digest;
  };
  const std::vector<Case> cases = {
      {"h264/tcp", *h264, open->port, rtsp::TransportMode::kTcp, false},
      {"h264/udp", *h264, open->port, rtsp::TransportMode::kUdp, false},
      {"h265/tcp", *h265, open->port, rtsp::TransportMode::kTcp, false},
      {"h265/udp", *h265, open->port, rtsp::TransportMode::kUdp, false},
      {"sub/tcp/digest", *sub, locked->port, rtsp::TransportMode::kTcp, true},
      {"sub/udp/digest", *sub, locked->port, rtsp::TransportMode::kUdp, true},
  };
  IoThread net;
  std::vector<std::unique_ptr<Receiver>> receivers;
  for (const Case& c : cases) {
    rtsp::ClientOptions o;
    o.url = "rtsp://127.0.0.1:" + std::to_string(c.port) + "/" + c.name.substr(0, c.name.find('/'));
    o.transport = c.transport;
    o.log_name = "camera=" + c.name;
    if (c.digest) o.credentials = {"admin", "s3cret"};
    receivers.push_back(std::make_unique<Receiver>(net.io(), o));
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    Receiver& rx = *receivers[i];
    ASSERT_TRUE(WaitFor([&] { return rx.count() > kFrames; }, std::chrono::seconds(30)))
        << c.name << ": got " << rx.count() << " frames; last error: " << rx.stats().last_error;
    rx.Stop();
    DemuxOptions demux;
    demux.max_frames = kFrames + 1;
    Result<std::vector<SourceFrame>> source = Demux(c.path, demux);
    ASSERT_TRUE(source.ok()) << source.status();
    std::vector<media::FramePtr> got = rx.frames();
    got.resize(kFrames);
    // GStreamer serves each client from the start of the file.
    EXPECT_EQ(FrameHash(got[0]->data), source->front().hash) << c.name << ": does not start at frame 0";
    std::string why;
    EXPECT_EQ(MatchContiguous(got, *source, &why), kFrames) << c.name << ": " << why;
    EXPECT_EQ(rx.stats().receiver.packets_lost, 0u) << c.name;
    ASSERT_NE(got[0]->params, nullptr) << c.name;
    EXPECT_EQ(got[0]->params->codec, source->front().codec) << c.name;
  }
}

}  // namespace
}  // namespace sightline::testing
