// Acceptance: camsim serves the real footage; the client receives every access unit bit-exact
// (compared with the file demuxed by libavformat), over TCP and UDP, with and without Digest.
#include <gtest/gtest.h>

#include "ingest_harness.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

struct Case {
  std::string_view file;
  rtsp::TransportMode transport;
  bool digest;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string f(info.param.file);
  std::string name = f.find("h265") != std::string::npos ? "H265_1080p"
                     : f.find("360p") != std::string::npos ? "H264_360p"
                                                           : "H264_1080p";
  name += info.param.transport == rtsp::TransportMode::kTcp ? "_Tcp" : "_Udp";
  if (info.param.digest) name += "_Digest";
  return name;
}

class IngestBitExactTest : public ::testing::TestWithParam<Case> {};

// Speeds the clip up so a whole loop (795 frames, 79.5 s) takes a few seconds.
constexpr double kSpeed = 16;

TEST_P(IngestBitExactTest, EveryAccessUnitOfAWholeLoopArrivesBitExact) {
  const Case& c = GetParam();
  std::optional<std::string> path = SharedMediaFile(c.file);
  if (!path) GTEST_SKIP() << kNoSharedMediaMessage;
  Result<std::vector<SourceFrame>> source = DemuxFile(*path);
  ASSERT_TRUE(source.ok()) << source.status();

  IoThread sim;
  camsim::Options o;
  o.listen = "127.0.0.1:0";
  o.speed = kSpeed;
  Result<std::vector<camsim::CameraSpec>> spec = camsim::ParseCameraSpec("name=cam,file=" + *path);
  ASSERT_TRUE(spec.ok()) << spec.status();
  o.cameras = *spec;
  if (c.digest) {
    o.user = "admin";
    o.password = "s3cret";
  }
  Result<std::unique_ptr<camsim::Server>> server = camsim::Server::Start(sim.io(), o);
  ASSERT_TRUE(server.ok()) << server.status();

  IoThread net;
  rtsp::ClientOptions co;
  co.url = "rtsp://127.0.0.1:" + std::to_string((*server)->port()) + "/cam";
  co.transport = c.transport;
  if (c.digest) co.credentials = {"admin", "s3cret"};
  Receiver rx(net.io(), co);
  // One more frame than the clip: the whole loop plus the wrap back to its start.
  const size_t want = source->size() + 1;
  ASSERT_TRUE(WaitFor([&] { return rx.count() >= want; }, std::chrono::seconds(60)))
      << "got " << rx.count() << " of " << want << " frames; last error: " << rx.stats().last_error;
  rx.Stop();
  (*server)->Stop();

  std::vector<media::FramePtr> got = rx.frames();
  got.resize(want);
  std::string why;
  EXPECT_EQ(MatchContiguous(got, *source, &why), want) << why;
  const rtsp::ClientStats s = rx.stats();
  EXPECT_EQ(s.receiver.packets_lost, 0u);
  EXPECT_EQ(s.frames_dropped, 0u);
  EXPECT_EQ(s.connections, 1u);
  ASSERT_NE(got[0]->params, nullptr);
  EXPECT_EQ(got[0]->params->codec, source->front().codec);
  // Frames are 100 ms apart on the 90 kHz timeline whatever the playback speed.
  EXPECT_EQ((got[10]->pts - got[0]->pts).ticks(), 10 * 9000);
}

INSTANTIATE_TEST_SUITE_P(
    Footage, IngestBitExactTest,
    ::testing::Values(Case{kPets360H264, rtsp::TransportMode::kTcp, false},
                      Case{kPets360H264, rtsp::TransportMode::kUdp, false},
                      Case{kPets360H264, rtsp::TransportMode::kTcp, true},
                      Case{kPets360H264, rtsp::TransportMode::kUdp, true},
                      Case{kPets1080H264, rtsp::TransportMode::kTcp, false},
                      Case{kPets1080H264, rtsp::TransportMode::kUdp, false},
                      Case{kPets1080H265, rtsp::TransportMode::kTcp, false},
                      Case{kPets1080H265, rtsp::TransportMode::kUdp, false}),
    CaseName);

}  // namespace
}  // namespace sightline::testing
