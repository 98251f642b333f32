#include "app/motion_analysis.h"

#include "app/analysis_options.h"
#include "base/logging.h"

namespace sightline::app {

// Hands the analyser's results to the store: every grid, and each event's start and end; then
// tells the observer the event with the id the store gave it.
class MotionAnalysis::StoreSink : public analysis::Sink {
 public:
  StoreSink(std::string camera, store::MotionSink* sink, Observer* observer)
      : camera_(std::move(camera)), sink_(sink), observer_(observer) {}
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
    const int64_t id = sink_->OnEvent(u);
    if (observer_ != nullptr && id != 0) observer_->OnMotionEvent(camera_, id, u);
  }

 private:
  const std::string camera_;
  store::MotionSink* sink_;
  Observer* observer_;
};

Result<std::unique_ptr<MotionAnalysis>> MotionAnalysis::Start(const config::Config& config, store::Store& store,
                                                              Observer* observer) {
  std::unique_ptr<MotionAnalysis> m(new MotionAnalysis());
  for (const config::CameraConfig& cam : config.cameras) {
    const config::StreamConfig* detect = cam.DetectStream();
    if (!cam.enabled || !cam.motion.enabled || detect == nullptr) continue;
    auto a = std::make_unique<Analyser>();
    a->options = AnalyzerOptionsFrom(cam);
    a->sink = std::make_unique<StoreSink>(cam.name, store.motion_sink(cam.name, detect->name), observer);
    Result<std::unique_ptr<analysis::StreamAnalyzer>> analyzer =
        analysis::StreamAnalyzer::Start(a->options, a->sink.get());
    if (!analyzer.ok()) {
      return std::move(analyzer).status().WithContext("camera " + cam.name + ": motion");
    }
    {
      MutexLock lock(a->mu);
      a->analyzer = std::move(*analyzer);
    }
    m->analysers_.emplace(std::pair{cam.name, detect->name}, std::move(a));
  }
  return m;
}

MotionAnalysis::~MotionAnalysis() { Stop(); }

std::function<void(media::FramePtr)> MotionAnalysis::SinkFor(const std::string& camera,
                                                             const std::string& stream) const {
  auto it = analysers_.find({camera, stream});
  if (it == analysers_.end()) return {};
  Analyser* a = it->second.get();
  return [a](media::FramePtr frame) {
    std::shared_ptr<analysis::StreamAnalyzer> analyzer;
    {
      MutexLock lock(a->mu);
      analyzer = a->analyzer;
    }
    if (analyzer != nullptr) analyzer->OnFrame(std::move(frame));
  };
}

MotionAnalysis::Analyser* MotionAnalysis::Find(const std::string& camera) const {
  for (const auto& [key, a] : analysers_) {
    if (key.first == camera) return a.get();
  }
  return nullptr;
}

bool MotionAnalysis::has_analysis(const std::string& camera) const { return Find(camera) != nullptr; }

bool MotionAnalysis::enabled(const std::string& camera) const {
  const Analyser* a = Find(camera);
  if (a == nullptr) return false;
  MutexLock lock(a->mu);
  return a->analyzer != nullptr;
}

Status MotionAnalysis::SetEnabled(const std::string& camera, bool on) {
  Analyser* a = Find(camera);
  if (a == nullptr) {
    return NotFoundError("camera " + camera +
                         " has no motion analysis in the config (it needs a stream with role detect and "
                         "motion.enabled)");
  }
  std::shared_ptr<analysis::StreamAnalyzer> old;
  bool changed = false;
  {
    MutexLock lock(a->mu);
    if (a->stopped) return FailedPreconditionError("motion analysis is stopping");
    if (on && a->analyzer == nullptr) {
      Result<std::unique_ptr<analysis::StreamAnalyzer>> analyzer = analysis::StreamAnalyzer::Start(a->options, a->sink.get());
      if (!analyzer.ok()) return std::move(analyzer).status().WithContext("camera " + camera + ": motion");
      a->analyzer = std::move(*analyzer);
      changed = true;
    } else if (!on && a->analyzer != nullptr) {
      old = std::move(a->analyzer);
      changed = true;
    }
  }
  // Outside the lock: Stop joins the analyser's thread, which ends the open event.
  if (old != nullptr) old->Stop();
  if (changed) {
    SL_LOG(kInfo) << "camera=" << camera << " motion analysis " << (on ? "on" : "off");
  }
  return Status();
}

std::map<std::pair<std::string, std::string>, analysis::AnalyzerStats> MotionAnalysis::Counts() const {
  std::map<std::pair<std::string, std::string>, analysis::AnalyzerStats> out;
  for (const auto& [key, a] : analysers_) {
    std::shared_ptr<analysis::StreamAnalyzer> analyzer;
    {
      MutexLock lock(a->mu);
      analyzer = a->analyzer;
    }
    // Turned off (MQTT motion/set): no series until it is on again, with counts from zero.
    if (analyzer != nullptr) out.emplace(key, analyzer->stats());
  }
  return out;
}

void MotionAnalysis::Stop() {
  for (auto& [key, a] : analysers_) {
    std::shared_ptr<analysis::StreamAnalyzer> analyzer;
    {
      MutexLock lock(a->mu);
      a->stopped = true;
      analyzer = a->analyzer;
    }
    if (analyzer != nullptr) analyzer->Stop();
  }
}

}  // namespace sightline::app
