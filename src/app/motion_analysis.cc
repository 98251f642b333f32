#include "app/motion_analysis.h"

#include "app/analysis_options.h"
#include "base/logging.h"

namespace sightline::app {

// Hands the analyser's results to the store: every grid, and each event's start and end.
class MotionAnalysis::StoreSink : public analysis::Sink {
 public:
  explicit StoreSink(store::MotionSink* sink) : sink_(sink) {}
  void OnResult(const analysis::FrameInfo& frame, const motion::FrameResult& result) override {
    sink_->OnGrid(UnixMicros(frame.wall_time), result.grid.Serialize(), result.motion);
  }
  void OnEvent(const motion::EventUpdate& update, Bytes thumbnail_jpeg) override {
    if (update.kind == motion::EventUpdate::Kind::kPeak) return;
    store::MotionEventUpdate u;
    u.start_us = update.event.start_us;
    u.end_us = update.event.end_us;
    u.ended = update.kind == motion::EventUpdate::Kind::kEnd;
    u.zones.assign(update.event.zones.begin(), update.event.zones.end());
    u.peak_fraction = update.event.peak_fraction;
    u.peak_us = update.event.peak_time_us;
    u.thumbnail_jpeg = std::move(thumbnail_jpeg);
    sink_->OnEvent(u);
  }

 private:
  store::MotionSink* sink_;
};

Result<std::unique_ptr<MotionAnalysis>> MotionAnalysis::Start(const config::Config& config,
                                                              store::Store& store) {
  std::unique_ptr<MotionAnalysis> m(new MotionAnalysis());
  for (const config::CameraConfig& cam : config.cameras) {
    const config::StreamConfig* detect = cam.DetectStream();
    if (!cam.enabled || !cam.motion.enabled || detect == nullptr) continue;
    Analyser a;
    a.sink = std::make_unique<StoreSink>(store.motion_sink(cam.name, detect->name));
    Result<std::unique_ptr<analysis::StreamAnalyzer>> analyzer =
        analysis::StreamAnalyzer::Start(AnalyzerOptionsFrom(cam), a.sink.get());
    if (!analyzer.ok()) {
      return std::move(analyzer).status().WithContext("camera " + cam.name + ": motion");
    }
    a.analyzer = std::move(*analyzer);
    m->analysers_.emplace(std::pair{cam.name, detect->name}, std::move(a));
  }
  return m;
}

MotionAnalysis::~MotionAnalysis() { Stop(); }

std::function<void(media::FramePtr)> MotionAnalysis::SinkFor(const std::string& camera,
                                                             const std::string& stream) const {
  auto it = analysers_.find({camera, stream});
  if (it == analysers_.end()) return {};
  analysis::StreamAnalyzer* analyzer = it->second.analyzer.get();
  return [analyzer](media::FramePtr frame) { analyzer->OnFrame(std::move(frame)); };
}

std::map<std::pair<std::string, std::string>, analysis::AnalyzerStats> MotionAnalysis::Counts() const {
  std::map<std::pair<std::string, std::string>, analysis::AnalyzerStats> out;
  for (const auto& [key, a] : analysers_) out.emplace(key, a.analyzer->stats());
  return out;
}

void MotionAnalysis::Stop() {
  for (auto& [key, a] : analysers_) a.analyzer->Stop();
}

}  // namespace sightline::app
