#pragma once
// MotionAnalysis: the motion analysis of `sightline run`. One analysis::StreamAnalyzer per
// camera with motion enabled, fed by its detect stream's frames, its results (motion grids,
// events with thumbnails) written to the store's MotionSink of that stream and told to an
// optional Observer (MQTT). A camera's analysis can be turned off and on at run time
// (SetEnabled): off stops its analyser, which ends the open event; on starts a new one, which
// begins at the next keyframe.
//
// Threads: Start and Stop on one thread; SinkFor before frames flow; the sinks from the
// network threads (never block: a busy analyser skips whole GOPs and counts them); SetEnabled
// and enabled from any thread. Observer calls come from the analysers' threads.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analysis/stream_analyzer.h"
#include "base/mutex.h"
#include "base/result.h"
#include "config/config.h"
#include "store/store.h"

namespace sightline::app {

class MotionAnalysis {
 public:
  // Told about each event as the store gets it: `id` is the index's event id.
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void OnMotionEvent(const std::string& camera, int64_t id, const store::MotionEventUpdate& update) = 0;
  };

  // `store` and `observer` (may be null) must outlive the object. Fails on invalid motion
  // settings (naming the camera).
  static Result<std::unique_ptr<MotionAnalysis>> Start(const config::Config& config, store::Store& store,
                                                       Observer* observer = nullptr);
  ~MotionAnalysis();  // Stop()

  // Where the frames of a camera's stream go: its analyser when it is the camera's analysed
  // stream, else nowhere (an empty function). Valid until Stop; looked up once, not per frame.
  std::function<void(media::FramePtr)> SinkFor(const std::string& camera,
                                               const std::string& stream) const;
  // Turns a camera's analysis off or on; OK when it already was. NotFound when the camera has
  // no analysis in the config; FailedPrecondition after Stop.
  Status SetEnabled(const std::string& camera, bool on);
  // Whether the camera's analysis runs (false for a camera without one).
  bool enabled(const std::string& camera) const;
  bool has_analysis(const std::string& camera) const;
  // Ends open events, stores what is pending, joins the analysers. Idempotent.
  void Stop();
  size_t analysers() const { return analysers_.size(); }
  // Each running analyser's counts, keyed by (camera, stream); any thread.
  std::map<std::pair<std::string, std::string>, analysis::AnalyzerStats> Counts() const;

 private:
  class StoreSink;
  struct Analyser {
    analysis::AnalyzerOptions options;
    std::unique_ptr<StoreSink> sink;
    mutable Mutex mu;
    // Null while turned off. Shared with the frame sink for the length of one OnFrame call,
    // so that turning off never waits for a network thread nor a network thread for it.
    std::shared_ptr<analysis::StreamAnalyzer> analyzer SL_GUARDED_BY(mu);
    bool stopped SL_GUARDED_BY(mu) = false;
  };
  MotionAnalysis() = default;
  Analyser* Find(const std::string& camera) const;
  // Immutable after Start (the analysers themselves change under their own mutex).
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Analyser>> analysers_;
};

// Where an event stands each time the analysis reports it: the first report of an id is its
// start, later ones updates, the one marked ended its end. Kept per camera; thread-safe.
enum class EventPhase { kNew, kUpdate, kEnd };
class EventPhases {
 public:
  EventPhase Next(const std::string& camera, int64_t id, bool ended) {
    MutexLock lock(mu_);
    int64_t& open = open_[camera];
    if (ended) {
      open = 0;
      return EventPhase::kEnd;
    }
    if (open == id) return EventPhase::kUpdate;
    open = id;
    return EventPhase::kNew;
  }

 private:
  Mutex mu_;
  std::map<std::string, int64_t> open_ SL_GUARDED_BY(mu_);  // camera -> open event id
};

// Tells each of several observers (MQTT, webhooks), in order; null ones are skipped. They
// must outlive it.
class ObserverList final : public MotionAnalysis::Observer {
 public:
  explicit ObserverList(std::vector<MotionAnalysis::Observer*> observers) : observers_(std::move(observers)) {}
  void OnMotionEvent(const std::string& camera, int64_t id, const store::MotionEventUpdate& update) override {
    for (MotionAnalysis::Observer* o : observers_) {
      if (o != nullptr) o->OnMotionEvent(camera, id, update);
    }
  }

 private:
  const std::vector<MotionAnalysis::Observer*> observers_;
};

}  // namespace sightline::app
