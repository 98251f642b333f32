#pragma once
// Store: the recording store as one object: it opens the index and the storage directories,
// runs recovery, and starts one writer thread per directory and the index thread. Ingest
// feeds each recorded stream's StreamRecorder; the analysis feeds each analysed stream's
// MotionSink. docs/design/storage.md is the design.
//
// Threads: Open and Close on one thread; recorder() and motion_sink() from any thread after
// Open; recorders and sinks are used as StreamRecorder and MotionSink say.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "store/dir_writer.h"
#include "store/env.h"
#include "store/index.h"
#include "store/index_writer.h"
#include "store/motion_sink.h"
#include "store/recovery.h"
#include "store/stream_recorder.h"

namespace sightline::store {

struct StorageDirOptions {
  std::string path;
  uint64_t min_free_bytes = 0;
};

struct StoreOptions {
  std::vector<StorageDirOptions> dirs;  // at least one
  std::string index_path;
  std::chrono::milliseconds flush_interval{1000};
  std::chrono::seconds segment_duration{60};
  uint64_t max_pending_bytes_per_stream = 32 << 20;
  std::chrono::milliseconds retention_interval{2000};
  Env* env = DefaultEnv();
  const Clock* clock = nullptr;  // required; must outlive the store
  // A failure after which recording cannot go on safely (docs/design/storage.md, "Failure
  // policy"). Default: log and exit the process, so that a restart runs recovery.
  std::function<void(const Status&)> on_fatal;
  // Told how long each successful index commit took (IndexWriterOptions::on_commit).
  std::function<void(std::chrono::microseconds)> on_commit;
};

struct StreamSpec {
  std::string camera;
  std::string stream;
  Retention retention;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(StoreOptions options,
                                             const std::vector<StreamSpec>& streams);
  ~Store();  // Close()
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Null if the stream is not recorded.
  StreamRecorder* recorder(const std::string& camera, const std::string& stream) const;
  // The motion results of an analysed stream (any stream, recorded or not); made at the first
  // call, the same one after.
  MotionSink* motion_sink(const std::string& camera, const std::string& stream);
  // The events a camera reports itself, of one source ("onvif:motion", MotionEventRow::source):
  // stored as motion events with that source and stream "". Made at the first call.
  MotionSink* camera_event_sink(const std::string& camera, const std::string& source);
  // Stops recording: every recorder's GOP in progress is written, every segment closed,
  // synced and committed; every motion sink's chunk in progress committed. Recorders must no
  // longer be called; sinks ignore further calls.
  void Close();

  const RecoveryReport& recovery_report() const { return recovery_; }
  IndexWriterStats index_stats() const { return index_writer_->stats(); }
  std::vector<DirWriterStats> dir_stats() const;

 private:
  Store() = default;
  StoreOptions options_;
  std::unique_ptr<Index> index_;
  RecoveryReport recovery_;
  std::unique_ptr<IndexWriter> index_writer_;
  std::vector<std::unique_ptr<DirWriter>> writers_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<StreamRecorder>> recorders_;
  Mutex sinks_mu_;
  MotionSink* Sink(const std::string& camera, const std::string& stream, const std::string& source);
  // By camera, stream, source.
  std::map<std::tuple<std::string, std::string, std::string>, std::unique_ptr<MotionSink>> sinks_
      SL_GUARDED_BY(sinks_mu_);
  bool closed_ = false;
};

}  // namespace sightline::store
