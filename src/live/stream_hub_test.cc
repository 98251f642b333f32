// StreamHub: what each viewer receives, in which order, and what a full queue costs it.

#include "live/stream_hub.h"

#include <gtest/gtest.h>

#include "media/stream_params.h"
#include "media/test_param_sets.h"
#include "mp4/test_boxes.h"

namespace sightline::live {
namespace {

using mp4::testing::FindBoxPath;

std::shared_ptr<const media::StreamParams> Params(bool big) {
  return big ? *media::MakeStreamParams(media::Codec::kH264, {}, media::testdata::kPets1080pH264Sps,
                                        media::testdata::kPets1080pH264Pps)
             : *media::MakeStreamParams(media::Codec::kH264, {}, media::testdata::kPets360pH264Sps,
                                        media::testdata::kPets360pH264Pps);
}

// Frames at 10 fps, a keyframe every 5.
class Camera {
 public:
  explicit Camera(const Clock& clock) : clock_(clock), params_(Params(false)) {}
  media::FramePtr Next() {
    auto f = std::make_shared<media::Frame>();
    f->keyframe = n_ % 5 == 0;
    f->pts = media::Time90k(pts_base_ + 9000 * n_);
    f->arrival = clock_.Now();
    f->params = params_;
    f->data = {0, 0, 0, 3, static_cast<uint8_t>(f->keyframe ? 0x65 : 0x41),
               static_cast<uint8_t>(n_), 0x80};
    ++n_;
    return f;
  }
  void Reconnect(int64_t pts_base) { pts_base_ = pts_base - 9000 * n_; }
  void ChangeParams() { params_ = Params(true); }

 private:
  const Clock& clock_;
  std::shared_ptr<const media::StreamParams> params_;
  int64_t n_ = 0;
  int64_t pts_base_ = 0;
};

struct Message {
  std::string bytes;
  bool binary;
};

// A viewer whose queue holds `capacity` messages until the test drains it.
class FakeViewer : public Viewer {
 public:
  explicit FakeViewer(size_t capacity = 1000) : capacity_(capacity) {}
  bool Send(std::shared_ptr<const std::string> m, bool binary) override {
    if (queued_ >= capacity_) return false;
    ++queued_;
    received.push_back({*m, binary});
    return true;
  }
  void Drain() { queued_ = 0; }
  std::vector<Message> received;

 private:
  size_t capacity_;
  size_t queued_ = 0;
};

// What a viewer got, as a string per message: "init", "ftyp", "K3" (keyframe fragment with
// sequence 3), "P4", or the JSON of a text message other than init.
std::vector<std::string> Summary(const FakeViewer& v) {
  std::vector<std::string> out;
  for (const Message& m : v.received) {
    if (!m.binary) {
      out.push_back(m.bytes.find("\"init\"") != std::string::npos ? "init" : m.bytes);
      continue;
    }
    const ByteSpan b(reinterpret_cast<const uint8_t*>(m.bytes.data()), m.bytes.size());
    if (FindBoxPath(b, "ftyp").ok()) {
      out.push_back("ftyp");
      continue;
    }
    Result<mp4::Box> mfhd = FindBoxPath(b, "moof/mfhd");
    Result<mp4::Box> mdat = FindBoxPath(b, "mdat");
    if (!mfhd.ok() || !mdat.ok()) {
      out.push_back("?");
      continue;
    }
    const bool key = mdat->payload.size() > 4 && mdat->payload[4] == 0x65;
    out.push_back((key ? "K" : "P") + std::to_string(LoadBe32(&mfhd->payload[4])));
  }
  return out;
}

int64_t DecodeTime(const Message& m) {
  const ByteSpan b(reinterpret_cast<const uint8_t*>(m.bytes.data()), m.bytes.size());
  Result<mp4::Box> tfdt = FindBoxPath(b, "moof/traf/tfdt");
  EXPECT_TRUE(tfdt.ok());
  return static_cast<int64_t>(LoadBe64(&tfdt->payload[4]));
}

using V = std::vector<std::string>;

TEST(StreamHubTest, NewViewerStartsAtTheLatestKeyframe) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  for (int i = 0; i < 7; ++i) hub.OnFrame(cam.Next());  // K1 P2 P3 P4 P5 K6 P7
  auto v = std::make_shared<FakeViewer>();
  hub.Subscribe(v);
  EXPECT_EQ(Summary(*v), (V{"init", "ftyp", "K6", "P7"}));
  hub.OnFrame(cam.Next());
  EXPECT_EQ(Summary(*v).back(), "P8");
  EXPECT_EQ(v->received[0].bytes,
            R"({"type":"init","codec":"avc1.4d4016","width":640,"height":360})");
}

TEST(StreamHubTest, ViewerBeforeTheFirstKeyframeWaitsForIt) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  auto v = std::make_shared<FakeViewer>();
  hub.Subscribe(v);
  EXPECT_TRUE(v->received.empty());
  hub.OnFrame(cam.Next());
  EXPECT_EQ(Summary(*v), (V{"init", "ftyp", "K1"}));
}

TEST(StreamHubTest, SlowViewerSkipsToTheNextKeyframeAndOthersGetEverything) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  auto fast = std::make_shared<FakeViewer>();
  auto slow = std::make_shared<FakeViewer>(4);
  hub.Subscribe(fast);
  hub.Subscribe(slow);
  for (int i = 0; i < 4; ++i) hub.OnFrame(cam.Next());  // slow: init ftyp K1 P2, then full
  slow->Drain();  // the socket caught up, but only mid-GOP
  for (int i = 0; i < 7; ++i) hub.OnFrame(cam.Next());  // P5 K6 ... K11
  EXPECT_EQ(Summary(*slow), (V{"init", "ftyp", "K1", "P2", R"({"type":"skipped","frames":3})", "K6",
                               "P7", "P8"}))
      << "P3 and P4 overflowed; P5 is mid-GOP; the viewer resumes at K6 until full again";
  EXPECT_EQ(Summary(*fast).size(), 2u + 11u);
  const StreamHubStats s = hub.stats();
  EXPECT_EQ(s.viewers, 2u);
  EXPECT_GT(s.frames_skipped, 0u);
}

TEST(StreamHubTest, ResumingViewerIsToldHowManyFramesItMissed) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  auto slow = std::make_shared<FakeViewer>(3);
  hub.Subscribe(slow);
  for (int i = 0; i < 5; ++i) hub.OnFrame(cam.Next());  // init ftyp K1; P2..P5 skipped
  slow->Drain();
  hub.OnFrame(cam.Next());  // K6
  EXPECT_EQ(Summary(*slow), (V{"init", "ftyp", "K1", R"({"type":"skipped","frames":4})", "K6"}));
}

TEST(StreamHubTest, NewParametersResendInitAtTheNextKeyframe) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  auto v = std::make_shared<FakeViewer>();
  hub.Subscribe(v);
  hub.OnFrame(cam.Next());
  cam.ChangeParams();
  for (int i = 0; i < 5; ++i) hub.OnFrame(cam.Next());  // P2..P5 under new params: not decodable
  EXPECT_EQ(Summary(*v), (V{"init", "ftyp", "K1", "init", "ftyp", "K6"}));
  EXPECT_NE(v->received[3].bytes.find("\"width\":1920"), std::string::npos);
}

TEST(StreamHubTest, DecodeTimesKeepIncreasingAcrossACameraReconnect) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  auto v = std::make_shared<FakeViewer>();
  hub.Subscribe(v);
  for (int i = 0; i < 3; ++i) hub.OnFrame(cam.Next());
  cam.Reconnect(123);  // a new session's timestamps start anywhere
  for (int i = 0; i < 3; ++i) hub.OnFrame(cam.Next());
  std::vector<int64_t> times;
  for (const Message& m : v->received) {
    if (m.binary && m.bytes.find("moof") != std::string::npos) times.push_back(DecodeTime(m));
  }
  EXPECT_EQ(times, (std::vector<int64_t>{0, 9000, 18000, 27000, 36000, 45000}));
}

TEST(StreamHubTest, OnlineChangesReachViewersAndUnsubscribedViewersGetNothing) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  auto v = std::make_shared<FakeViewer>();
  auto gone = std::make_shared<FakeViewer>();
  hub.Subscribe(v);
  hub.Unsubscribe(hub.Subscribe(gone));
  hub.SetOnline(false);
  hub.SetOnline(false);
  hub.OnFrame(cam.Next());
  EXPECT_EQ(Summary(*v), (V{R"({"type":"status","online":false})", "init", "ftyp", "K1"}));
  EXPECT_TRUE(gone->received.empty());
  EXPECT_EQ(hub.stats().viewers, 1u);
}

TEST(StreamHubTest, SendDelayIsMeasuredFromArrival) {
  SimulatedClock clock;
  Camera cam(clock);
  StreamHub hub(clock);
  hub.Subscribe(std::make_shared<FakeViewer>());
  media::FramePtr f = cam.Next();
  clock.Advance(std::chrono::milliseconds(7));
  hub.OnFrame(f);
  EXPECT_EQ(hub.stats().max_send_delay_us, 7000);
}

}  // namespace
}  // namespace sightline::live
