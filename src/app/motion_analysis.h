#pragma once
// MotionAnalysis: the motion analysis of `sightline run`. One analysis::StreamAnalyzer per
// camera with motion enabled, fed by its detect stream's frames, its results (motion grids,
// events with thumbnails) written to the store's MotionSink of that stream.
//
// Threads: Start, SinkFor and Stop on one thread; the sinks from the network threads (never
// block: a busy analyser skips whole GOPs and counts them).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "analysis/stream_analyzer.h"
#include "base/result.h"
#include "config/config.h"
#include "store/store.h"

namespace sightline::app {

class MotionAnalysis {
 public:
  // `store` must outlive the object. Fails on invalid motion settings (naming the camera).
  static Result<std::unique_ptr<MotionAnalysis>> Start(const config::Config& config,
                                                       store::Store& store);
  ~MotionAnalysis();  // Stop()

  // Where the frames of a camera's stream go: its analyser when it is the camera's analysed
  // stream, else nowhere (an empty function). Valid until Stop; looked up once, not per frame.
  std::function<void(media::FramePtr)> SinkFor(const std::string& camera,
                                               const std::string& stream) const;
  // Ends open events, stores what is pending, joins the analysers. Idempotent.
  void Stop();
  size_t analysers() const { return analysers_.size(); }
  // Each analyser's counts, keyed by (camera, stream); any thread.
  std::map<std::pair<std::string, std::string>, analysis::AnalyzerStats> Counts() const;

 private:
  class StoreSink;
  struct Analyser {
    std::unique_ptr<StoreSink> sink;
    std::unique_ptr<analysis::StreamAnalyzer> analyzer;
  };
  MotionAnalysis() = default;
  // Immutable after Start.
  std::map<std::pair<std::string, std::string>, Analyser> analysers_;
};

}  // namespace sightline::app
