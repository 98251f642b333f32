// Acceptance: for each camsim fault mode, the client recovers by itself, counts what it lost,
// never crashes, and the other cameras in the same process lose nothing. And each camera quirk
// that camsim can show end to end still yields bit-exact frames.
#include <gtest/gtest.h>

#include <set>

#include "ingest_harness.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

class IngestFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> sub = SharedMediaFile(kPets360H264);
    std::optional<std::string> main = SharedMediaFile(kPets1080H264);
    if (!sub || !main) GTEST_SKIP() << kNoSharedMediaMessage;
    sub_ = *sub;
    main_ = *main;
    Result<std::vector<SourceFrame>> a = DemuxFile(sub_);
    Result<std::vector<SourceFrame>> b = DemuxFile(main_);
    ASSERT_TRUE(a.ok() && b.ok());
    sub_frames_ = std::move(*a);
    for (const auto* set : {&sub_frames_, &*b}) {
      for (const SourceFrame& f : *set) known_hashes_.insert(f.hash);
    }
  }

  Result<std::unique_ptr<camsim::Server>> StartCameras(const std::vector<std::string>& specs, double speed) {
    camsim::Options o;
    o.listen = "127.0.0.1:0";
    o.speed = speed;
    o.seed = 42;
    for (const std::string& s : specs) {
      Result<std::vector<camsim::CameraSpec>> parsed = camsim::ParseCameraSpec(s);
      if (!parsed.ok()) return parsed.status();
      o.cameras.insert(o.cameras.end(), parsed->begin(), parsed->end());
    }
    return camsim::Server::Start(sim_.io(), o);
  }

  std::unique_ptr<Receiver> Connect(uint16_t port, const std::string& name,
                                    std::chrono::milliseconds stall = std::chrono::seconds(10)) {
    rtsp::ClientOptions co;
    co.url = "rtsp://127.0.0.1:" + std::to_string(port) + "/" + name;
    co.log_name = "camera=" + name;
    co.stall_timeout = stall;
    co.backoff_initial = std::chrono::milliseconds(100);
    co.backoff_max = std::chrono::milliseconds(500);
    return std::make_unique<Receiver>(net_.io(), co);
  }

  // Every delivered frame must be a frame of the source files, byte for byte: losses drop
  // whole frames, never corrupt one.
  void ExpectOnlySourceFrames(const Receiver& rx, const std::string& name) {
    for (const media::FramePtr& f : rx.frames()) {
      ASSERT_TRUE(known_hashes_.count(FrameHash(f->data))) << name << ": a corrupted frame was delivered";
    }
  }

  std::string sub_, main_;
  std::vector<SourceFrame> sub_frames_;
  std::set<uint64_t> known_hashes_;
  IoThread sim_;
  IoThread net_;  // every client shares one network thread, as in the recorder
};

TEST_F(IngestFaultsTest, EachFaultRecoversAndCleanCamerasLoseNothing) {
  auto server = StartCameras({"name=clean{0..1},file=" + sub_,
                              "name=drop,file=" + sub_ + ",drop=2",
                              "name=stall,file=" + sub_ + ",stall=2/3",
                              "name=garbage,file=" + sub_ + ",garbage=1",
                              "name=gap,file=" + sub_ + ",gap=1",
                              "name=tsjump,file=" + sub_ + ",tsjump=2",
                              "name=spschange,file=" + sub_ + ",spschange=2,alt=" + main_,
                              "name=slow,file=" + sub_ + ",slow=300"},
                             1.0);
  ASSERT_TRUE(server.ok()) << server.status();
  const uint16_t port = (*server)->port();
  std::map<std::string, std::unique_ptr<Receiver>> rx;
  for (const char* name : {"clean0", "clean1", "drop", "garbage", "gap", "tsjump", "spschange", "slow"}) {
    rx[name] = Connect(port, name);
  }
  rx["stall"] = Connect(port, "stall", std::chrono::milliseconds(800));
  std::this_thread::sleep_for(std::chrono::seconds(8));
  // Recovery: every camera delivers frames in the last second of the run.
  std::map<std::string, size_t> before;
  for (auto& [name, r] : rx) before[name] = r->count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  for (auto& [name, r] : rx) {
    if (name != "stall") {
      EXPECT_GT(r->count(), before[name]) << name << " is not delivering frames";
    }
    r->Stop();
    ExpectOnlySourceFrames(*r, name);
  }
  (*server)->Stop();

  for (const char* name : {"clean0", "clean1"}) {
    const Receiver& r = *rx[name];
    std::string why;
    EXPECT_EQ(MatchContiguous(r.frames(), sub_frames_, &why), r.count()) << name << ": " << why;
    EXPECT_GE(r.count(), 80u) << name;
    EXPECT_EQ(r.stats().receiver.packets_lost, 0u) << name;
    EXPECT_EQ(r.stats().frames_dropped, 0u) << name;
    EXPECT_EQ(r.stats().reconnects, 0u) << name;
  }
  {
    const rtsp::ClientStats s = rx["drop"]->stats();
    EXPECT_GE(s.reconnects, 3u);
    EXPECT_GE(s.connections, 4u);
    EXPECT_NE(s.last_error.find("closed by the camera"), std::string::npos) << s.last_error;
    EXPECT_GE(rx["drop"]->count(), 50u);
  }
  {
    const rtsp::ClientStats s = rx["stall"]->stats();
    EXPECT_GE(s.stalls, 1u);
    EXPECT_GE(s.connections, 2u);
    EXPECT_GE(rx["stall"]->count(), 15u);
  }
  {
    const rtsp::ClientStats s = rx["garbage"]->stats();
    EXPECT_GT(s.skipped_bytes, 0u);
    EXPECT_GE(rx["garbage"]->count(), 50u);
  }
  {
    const rtsp::ClientStats s = rx["gap"]->stats();
    EXPECT_GT(s.receiver.packets_lost, 0u);
    EXPECT_GT(s.frames_dropped, 0u);
    EXPECT_EQ(s.reconnects, 0u);  // a gap is not a reason to reconnect
    bool resumed_after_loss = false;
    for (const media::FramePtr& f : rx["gap"]->frames()) {
      if (f->after_loss) {
        EXPECT_TRUE(f->keyframe) << "after a loss, delivery must resume at a keyframe";
        resumed_after_loss = true;
      }
    }
    EXPECT_TRUE(resumed_after_loss);
  }
  {
    std::vector<media::FramePtr> f = rx["tsjump"]->frames();
    bool jumped = false;
    for (size_t i = 1; i < f.size(); ++i) jumped |= (f[i]->pts - f[i - 1]->pts).seconds() > 5;
    EXPECT_TRUE(jumped);
    EXPECT_GE(f.size(), 60u);
    // Wall time follows arrival, not the jumped timestamps.
    const auto span = f.back()->wall_time - f.front()->wall_time;
    EXPECT_LT(span, std::chrono::seconds(15));
  }
  {
    std::set<int> widths;
    for (const media::FramePtr& f : rx["spschange"]->frames()) {
      if (f->params) widths.insert(f->params->width);
    }
    EXPECT_TRUE(widths.count(640) && widths.count(1920)) << "resolution change not seen";
  }
  {
    EXPECT_EQ(rx["slow"]->stats().connections, 1u);
    EXPECT_GE(rx["slow"]->count(), 40u);
  }
}

class IngestQuirksTest : public IngestFaultsTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(IngestQuirksTest, FramesStayBitExact) {
  auto server = StartCameras({"name=cam,file=" + sub_ + ",quirk=" + GetParam()}, 4.0);
  ASSERT_TRUE(server.ok()) << server.status();
  auto rx = Connect((*server)->port(), "cam");
  ASSERT_TRUE(WaitFor([&] { return rx->count() >= 60; }, std::chrono::seconds(20)))
      << rx->stats().last_error;
  rx->Stop();
  std::vector<media::FramePtr> frames = rx->frames();
  // A stream whose marker bit is wrong on every packet is detected on its first picture of
  // several packets, which is therefore split; from then on every frame must be whole.
  size_t first = 0;
  if (GetParam() == "marker-always") {
    while (first < frames.size() && !known_hashes_.count(FrameHash(frames[first]->data))) ++first;
    EXPECT_LE(first, 3u);
    while (first < frames.size() && !frames[first]->keyframe) ++first;
    frames.erase(frames.begin(), frames.begin() + first);
  }
  std::string why;
  EXPECT_EQ(MatchContiguous(frames, sub_frames_, &why), frames.size()) << why;
  EXPECT_EQ(rx->stats().receiver.packets_lost, 0u);
  EXPECT_EQ(rx->stats().connections, 1u);
}

INSTANTIATE_TEST_SUITE_P(Camsim, IngestQuirksTest,
                         ::testing::Values("no-sprop", "bad-sprop", "marker-never", "marker-always",
                                           "stray-channel", "rtcp-before-play", "bogus-rtpinfo",
                                           "no-session-name", "annexb-in-rtp"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n) {
                             if (ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace sightline::testing
