#include "store/store.h"

#include <cstdlib>

#include "base/logging.h"

namespace sightline::store {

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options,
                                           const std::vector<StreamSpec>& streams) {
  if (options.dirs.empty()) return InvalidArgumentError("store: no storage directory");
  if (options.clock == nullptr) return InvalidArgumentError("store: no clock");
  if (!options.on_fatal) {
    options.on_fatal = [](const Status& s) {
      SL_LOG(kError) << "storage failure, exiting so that a restart recovers: " << s;
      std::_Exit(75);
    };
  }
  std::unique_ptr<Store> store(new Store());
  Env& env = *options.env;
  RETURN_IF_ERROR(env.CreateDirs(DirName(options.index_path)));
  ASSIGN_OR_RETURN(store->index_, Index::Open(options.index_path));
  std::vector<std::string> paths;
  for (const StorageDirOptions& d : options.dirs) paths.push_back(d.path);
  ASSIGN_OR_RETURN(std::vector<StorageDir> dirs, OpenStorageDirs(env, *store->index_, paths, options.index_path));
  // Streams get their rows before recovery, which probes each stream's files.
  std::vector<int64_t> stream_ids;
  for (const StreamSpec& s : streams) {
    ASSIGN_OR_RETURN(int64_t id, store->index_->EnsureStream(s.camera, s.stream));
    stream_ids.push_back(id);
  }
  const int64_t now_us = UnixMicros(options.clock->WallNow());
  ASSIGN_OR_RETURN(store->recovery_, Recover(env, *store->index_, dirs, now_us));
  SL_LOG(kInfo) << "store: recovered " << store->recovery_.ToString();
  ASSIGN_OR_RETURN(int64_t closed_events, store->index_->CloseOpenMotionEvents());
  if (closed_events > 0) {
    SL_LOG(kWarning) << "store: closed " << closed_events
                     << " motion events left open when the process stopped, at their last stored grid";
  }
  ASSIGN_OR_RETURN(int64_t max_event_id, store->index_->MaxMotionEventId());

  IndexWriterOptions iw;
  iw.index = store->index_.get();
  iw.env = &env;
  iw.clock = options.clock;
  iw.retention_interval = options.retention_interval;
  iw.on_fatal = options.on_fatal;
  iw.on_commit = options.on_commit;
  iw.first_motion_event_id = max_event_id + 1;
  for (size_t i = 0; i < dirs.size(); ++i) {
    iw.dirs.push_back({dirs[i].dir_id, dirs[i].path, options.dirs[i].min_free_bytes});
  }
  for (size_t i = 0; i < streams.size(); ++i) iw.streams.push_back({stream_ids[i], streams[i].retention});
  store->index_writer_ = std::make_unique<IndexWriter>(iw);

  for (const StorageDir& d : dirs) {
    DirWriterOptions dw;
    dw.path = d.path;
    dw.dir_id = d.dir_id;
    dw.flush_interval = options.flush_interval;
    dw.segment_duration_90k = options.segment_duration.count() * 90000;
    dw.env = &env;
    dw.clock = options.clock;
    dw.index_writer = store->index_writer_.get();
    dw.on_fatal = options.on_fatal;
    store->writers_.push_back(std::make_unique<DirWriter>(dw));
  }
  // Streams are spread over the directories in turn.
  for (size_t i = 0; i < streams.size(); ++i) {
    const StreamSpec& s = streams[i];
    DirWriter* writer = store->writers_[i % store->writers_.size()].get();
    auto rec = std::make_unique<StreamRecorder>(s.camera, s.stream, stream_ids[i], s.retention,
                                                options.max_pending_bytes_per_stream, writer,
                                                store->index_writer_.get(), options.clock);
    ASSIGN_OR_RETURN(rec->last_seq_, store->index_->MaxSeq(stream_ids[i]));
    store->recorders_[{s.camera, s.stream}] = std::move(rec);
  }
  store->options_ = std::move(options);
  store->index_writer_->Start();
  for (auto& w : store->writers_) w->Start();
  return store;
}

Store::~Store() { Close(); }

StreamRecorder* Store::recorder(const std::string& camera, const std::string& stream) const {
  auto it = recorders_.find({camera, stream});
  return it == recorders_.end() ? nullptr : it->second.get();
}

MotionSink* Store::motion_sink(const std::string& camera, const std::string& stream) {
  return Sink(camera, stream, "");
}

MotionSink* Store::camera_event_sink(const std::string& camera, const std::string& source) {
  return Sink(camera, "", source);
}

MotionSink* Store::Sink(const std::string& camera, const std::string& stream, const std::string& source) {
  MutexLock lock(sinks_mu_);
  std::unique_ptr<MotionSink>& sink = sinks_[{camera, stream, source}];
  if (sink == nullptr) {
    sink = std::make_unique<MotionSink>(camera, stream, index_writer_.get(), source);
    if (closed_) sink->Close();
  }
  return sink.get();
}

void Store::Close() {
  if (closed_ || index_writer_ == nullptr) return;
  {
    MutexLock lock(sinks_mu_);
    closed_ = true;
    for (auto& [key, sink] : sinks_) sink->Close();
  }
  for (auto& [key, rec] : recorders_) rec->EndOfStream();
  for (auto& w : writers_) w->Stop();
  index_writer_->Stop();
}

std::vector<DirWriterStats> Store::dir_stats() const {
  std::vector<DirWriterStats> out;
  for (const auto& w : writers_) out.push_back(w->stats());
  return out;
}

}  // namespace sightline::store
