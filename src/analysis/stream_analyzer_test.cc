// StreamAnalyzer on the PETS2009 360p substream (../shared/media; skipped with a message when
// absent): fed faster than it can decode it skips whole GOPs without ever blocking the caller;
// offline it analyses every frame in order and finds events with JPEG thumbnails; decode
// errors are counted and analysis resumes at the next keyframe.

#include "analysis/stream_analyzer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "decode/file_reader.h"
#include "support/shared_media.h"

namespace sightline::analysis {
namespace {

using testing::SharedMediaFile;

constexpr size_t kPetsFrames = 795;
constexpr int kPetsGop = 20;

class RecordingSink : public Sink {
 public:
  void OnResult(const FrameInfo& frame, const motion::FrameResult& result) override {
    std::unique_lock<std::mutex> lock(mu_);
    gate_.wait(lock, [&] { return open_; });
    frames.push_back(frame);
    motion_frames += result.motion;
  }
  // While closed, OnResult waits: the analyser's thread is stuck, as behind a slow disk.
  void CloseGate() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
  }
  void OpenGate() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_ = true;
    }
    gate_.notify_all();
  }
  void OnEvent(const motion::EventUpdate& update, Bytes thumbnail_jpeg) override {
    std::lock_guard<std::mutex> lock(mu_);
    events.push_back({update, std::move(thumbnail_jpeg)});
  }

  struct EventRecord {
    motion::EventUpdate update;
    Bytes jpeg;
  };
  std::mutex mu_;
  std::condition_variable gate_;
  bool open_ = true;
  std::vector<FrameInfo> frames;
  int motion_frames = 0;
  std::vector<EventRecord> events;
};

class StreamAnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = SharedMediaFile(testing::kPets360H264);
    if (!path) GTEST_SKIP() << testing::kNoSharedMediaMessage;
    Result<std::unique_ptr<decode::FileReader>> reader = decode::FileReader::Open(*path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    for (;;) {
      Result<media::FramePtr> frame = (*reader)->Next();
      ASSERT_TRUE(frame.ok()) << frame.status();
      if (*frame == nullptr) break;
      frames_.push_back(*frame);
    }
    ASSERT_EQ(frames_.size(), kPetsFrames);
  }

  std::unique_ptr<StreamAnalyzer> Start(AnalyzerOptions options) {
    options.name = "camera=pets stream=sub";
    Result<std::unique_ptr<StreamAnalyzer>> a = StreamAnalyzer::Start(options, &sink_);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? std::move(a).value() : nullptr;
  }

  void ExpectPtsOrder() {
    for (size_t i = 1; i < sink_.frames.size(); ++i) {
      ASSERT_GT(sink_.frames[i].pts, sink_.frames[i - 1].pts) << "result " << i;
      ASSERT_GT(sink_.frames[i].frame_index, sink_.frames[i - 1].frame_index);
    }
  }

  std::vector<media::FramePtr> frames_;
  RecordingSink sink_;
};

TEST_F(StreamAnalyzerTest, FedTooFastItSkipsGopsWithoutBlocking) {
  AnalyzerOptions options;
  options.max_queue_frames = 4;
  std::unique_ptr<StreamAnalyzer> analyzer = Start(options);
  ASSERT_NE(analyzer, nullptr);
  std::chrono::steady_clock::duration slowest{};
  auto feed = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      analyzer->OnFrame(frames_[i]);
      slowest = std::max(slowest, std::chrono::steady_clock::now() - t0);
    }
  };
  // The first half while the analyser is stuck in its sink: OnFrame must return regardless
  // (were it to wait for the analyser, this would never finish); the second half while the
  // analyser decodes, much slower than frames arrive here.
  sink_.CloseGate();
  feed(0, kPetsFrames / 2);
  sink_.OpenGate();
  feed(kPetsFrames / 2, kPetsFrames);
  analyzer->Finish();
  const AnalyzerStats stats = analyzer->stats();
  // Queueing a frame takes microseconds, decoding one ~0.5 ms; the bound leaves room for a
  // preempted test thread on a busy machine.
  EXPECT_LT(slowest, std::chrono::milliseconds(100));
  EXPECT_EQ(stats.frames_in, kPetsFrames);
  EXPECT_GT(stats.gops_skipped, 0u);
  EXPECT_GT(stats.frames_dropped, 0u);
  EXPECT_GT(stats.frames_analysed, 0u);
  EXPECT_EQ(stats.decode_errors, 0u);  // skipping whole GOPs never breaks decoding
  EXPECT_EQ(stats.frames_decoded + stats.frames_dropped, kPetsFrames);
  EXPECT_EQ(stats.queue_frames, 0u);
  EXPECT_EQ(sink_.frames.size(), stats.frames_analysed);
  ExpectPtsOrder();
}

TEST_F(StreamAnalyzerTest, OfflineAnalysesEveryFrameAndFindsEventsWithThumbnails) {
  AnalyzerOptions options;
  options.offline = true;
  options.max_fps = 10;
  options.max_queue_frames = 4;
  std::unique_ptr<StreamAnalyzer> analyzer = Start(options);
  ASSERT_NE(analyzer, nullptr);
  for (const media::FramePtr& f : frames_) analyzer->OnFrame(f);
  analyzer->Finish();
  const AnalyzerStats stats = analyzer->stats();
  EXPECT_EQ(stats.gops_skipped, 0u);
  EXPECT_EQ(stats.frames_dropped, 0u);
  EXPECT_EQ(stats.frames_decoded, kPetsFrames);
  EXPECT_EQ(stats.frames_analysed, kPetsFrames);
  EXPECT_EQ(stats.last_analysed_pts_90k, frames_.back()->pts.ticks());
  EXPECT_EQ(stats.last_analysed_time, frames_.back()->wall_time);
  ASSERT_EQ(sink_.frames.size(), kPetsFrames);
  ExpectPtsOrder();
  for (size_t i = 0; i < kPetsFrames; ++i) {
    EXPECT_EQ(sink_.frames[i].frame_index, static_cast<int64_t>(i));
    EXPECT_EQ(sink_.frames[i].wall_time, frames_[i]->wall_time);
    EXPECT_EQ(sink_.frames[i].width, 640);
  }
  // People walk through the whole clip.
  EXPECT_GT(sink_.motion_frames, static_cast<int>(kPetsFrames) / 2);

  ASSERT_GE(sink_.events.size(), 2u);
  int starts = 0, ends = 0;
  for (const RecordingSink::EventRecord& e : sink_.events) {
    if (e.update.kind == motion::EventUpdate::Kind::kStart) {
      ++starts;
      ASSERT_GE(e.jpeg.size(), 2u) << "every start carries a thumbnail";
      EXPECT_EQ(e.jpeg[0], 0xff);
      EXPECT_EQ(e.jpeg[1], 0xd8);
    } else {
      ASSERT_EQ(e.update.kind, motion::EventUpdate::Kind::kEnd);
      ++ends;
      EXPECT_GT(e.update.event.peak_fraction, 0);
    }
  }
  EXPECT_EQ(starts, ends) << "Finish ends the open event";
}

TEST_F(StreamAnalyzerTest, MaxFpsCapsAnalysisNotDecoding) {
  AnalyzerOptions options;
  options.offline = true;  // max_fps 5 by default
  std::unique_ptr<StreamAnalyzer> analyzer = Start(options);
  ASSERT_NE(analyzer, nullptr);
  for (const media::FramePtr& f : frames_) analyzer->OnFrame(f);
  analyzer->Finish();
  const AnalyzerStats stats = analyzer->stats();
  EXPECT_EQ(stats.frames_decoded, kPetsFrames);
  EXPECT_EQ(stats.frames_analysed, (kPetsFrames + 1) / 2);
  for (size_t i = 1; i < sink_.frames.size(); ++i) {
    EXPECT_EQ((sink_.frames[i].pts - sink_.frames[i - 1].pts).ticks(), 18000);
  }
}

TEST_F(StreamAnalyzerTest, KeyframesOnly) {
  AnalyzerOptions options;
  options.offline = true;
  options.keyframes_only = true;
  std::unique_ptr<StreamAnalyzer> analyzer = Start(options);
  ASSERT_NE(analyzer, nullptr);
  for (const media::FramePtr& f : frames_) analyzer->OnFrame(f);
  analyzer->Finish();
  const AnalyzerStats stats = analyzer->stats();
  const size_t keyframes = (kPetsFrames + kPetsGop - 1) / kPetsGop;
  EXPECT_EQ(stats.frames_decoded, keyframes);
  EXPECT_EQ(stats.frames_analysed, keyframes);
  for (const FrameInfo& f : sink_.frames) EXPECT_TRUE(f.keyframe) << f.frame_index;
}

TEST_F(StreamAnalyzerTest, DecodeErrorIsCountedAndAnalysisResumesAtNextKeyframe) {
  AnalyzerOptions options;
  options.offline = true;
  options.max_fps = 0;
  std::unique_ptr<StreamAnalyzer> analyzer = Start(options);
  ASSERT_NE(analyzer, nullptr);
  constexpr size_t kBad = 45;  // a P-frame of the third GOP, frames 40..59
  for (size_t i = 0; i < frames_.size(); ++i) {
    if (i != kBad) {
      analyzer->OnFrame(frames_[i]);
      continue;
    }
    auto bad = std::make_shared<media::Frame>(*frames_[i]);
    bad->data.resize(bad->data.size() / 3);
    analyzer->OnFrame(bad);
  }
  analyzer->Finish();
  const AnalyzerStats stats = analyzer->stats();
  EXPECT_EQ(stats.decode_errors, 1u);
  EXPECT_EQ(stats.frames_analysed, kPetsFrames - (60 - kBad));
  for (const FrameInfo& f : sink_.frames) {
    EXPECT_FALSE(f.frame_index >= static_cast<int64_t>(kBad) && f.frame_index < 60)
        << f.frame_index;
  }
}

TEST_F(StreamAnalyzerTest, StopDropsTheQueueAndIgnoresLaterFrames) {
  AnalyzerOptions options;
  options.max_queue_frames = kPetsFrames;
  options.max_queue_bytes = size_t{1} << 30;
  std::unique_ptr<StreamAnalyzer> analyzer = Start(options);
  ASSERT_NE(analyzer, nullptr);
  for (const media::FramePtr& f : frames_) analyzer->OnFrame(f);
  analyzer->Stop();
  analyzer->OnFrame(frames_[0]);
  analyzer->Stop();
  const AnalyzerStats stats = analyzer->stats();
  EXPECT_EQ(stats.frames_in, kPetsFrames + 1);
  EXPECT_EQ(stats.gops_skipped, 0u);
  EXPECT_EQ(stats.frames_decoded + stats.frames_dropped, kPetsFrames + 1);
  EXPECT_EQ(stats.queue_frames, 0u);
}

TEST(StreamAnalyzerOptionsTest, InvalidOptionsAreRefused) {
  RecordingSink sink;
  AnalyzerOptions options;
  options.max_fps = -1;
  EXPECT_FALSE(StreamAnalyzer::Start(options, &sink).ok());
  options = {};
  options.events.min_frames = 0;
  EXPECT_FALSE(StreamAnalyzer::Start(options, &sink).ok());
  options = {};
  EXPECT_FALSE(StreamAnalyzer::Start(options, nullptr).ok());
}

}  // namespace
}  // namespace sightline::analysis
