#include "store/dir_writer.h"

#include "base/logging.h"
#include "store/index.h"
#include "store/index_writer.h"
#include "store/stream_recorder.h"

namespace sightline::store {
DirWriter::DirWriter(DirWriterOptions options)
    : options_(std::move(options)), env_(*options_.env) {}

DirWriter::~DirWriter() { Stop(); }

void DirWriter::Start() { thread_ = std::thread([this] { Run(); }); }

void DirWriter::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void DirWriter::Submit(StreamRecorder* stream, Gop gop) {
  {
    MutexLock lock(mu_);
    queue_.push_back(Job{stream, false, std::move(gop)});
  }
  cv_.NotifyOne();
}

void DirWriter::EndStream(StreamRecorder* stream) {
  {
    MutexLock lock(mu_);
    queue_.push_back(Job{stream, true, Gop()});
  }
  cv_.NotifyOne();
}

DirWriterStats DirWriter::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void DirWriter::Run() {
  MonoTime next_flush = options_.clock->Now() + options_.flush_interval;
  std::deque<Job> jobs;
  for (;;) {
    bool stop;
    {
      MutexLock lock(mu_);
      // The condition variable waits on the steady clock; a simulated clock only decides
      // whether a flush is due.
      const auto deadline = std::chrono::steady_clock::now() + options_.flush_interval;
      while (queue_.empty() && !stopping_ && cv_.WaitUntil(mu_, deadline)) {
      }
      jobs.swap(queue_);
      stop = stopping_;
    }
    for (Job& job : jobs) Handle(job);
    jobs.clear();
    if (stop) {
      for (auto& [s, seg] : open_) closing_.push_back(std::move(seg));
      open_.clear();
      Flush();
      return;
    }
    if (options_.clock->Now() >= next_flush) {
      Flush();
      next_flush = options_.clock->Now() + options_.flush_interval;
    }
  }
}

void DirWriter::Handle(Job& job) {
  if (job.close) {
    CloseSegment(job.stream);
    return;
  }
  Write(job.stream, job.gop);
  job.stream->pending_bytes_ -= job.gop.bytes;
}

void DirWriter::CloseSegment(StreamRecorder* s) {
  auto it = open_.find(s);
  if (it == open_.end()) return;
  closing_.push_back(std::move(it->second));
  open_.erase(it);
}

Status DirWriter::OpenSegment(StreamRecorder* s, const media::StreamParams& params) {
  const std::string dir = options_.path + "/" + s->camera() + "/" + s->stream();
  if (!dirs_made_.contains(dir)) {
    RETURN_IF_ERROR(env_.CreateDirs(dir));
    dirs_made_.insert(dir);
    // New directory entries must be durable too: the camera's and the stream's.
    dirs_to_sync_.insert(options_.path);
    dirs_to_sync_.insert(options_.path + "/" + s->camera());
  }
  const int64_t seq = ++s->last_seq_;
  const std::string path = options_.path + "/" + SegmentRelativePath(s->camera(), s->stream(), seq);
  Result<std::unique_ptr<SegmentWriter>> seg =
      SegmentWriter::Create(env_, path, params, s->stream_id(), seq, options_.dir_id);
  dirs_to_sync_.insert(dir);
  if (!seg.ok()) {
    env_.Remove(path).IgnoreError();  // nothing of it was committed
    return std::move(seg).status();
  }
  ++s->segments_started_;
  open_[s] = std::move(*seg);
  return Status();
}

void DirWriter::Write(StreamRecorder* s, Gop& gop) {
  auto it = open_.find(s);
  SegmentWriter* seg = it == open_.end() ? nullptr : it->second.get();
  const media::StreamParams& params = *gop.frames[0]->params;
  if (seg != nullptr && (gop.after_gap || !(seg->params() == params) ||
                         seg->duration_90k() >= options_.segment_duration_90k)) {
    CloseSegment(s);
    seg = nullptr;
  }
  Status st;
  if (seg == nullptr) {
    st = OpenSegment(s, params);
    if (st.ok()) seg = open_[s].get();
  }
  if (st.ok()) st = seg->Append(gop);
  if (st.ok()) {
    ++s->gops_written_;
    s->bytes_written_ += gop.bytes;
    return;
  }
  ++s->gops_lost_write_error_;
  {
    MutexLock lock(mu_);
    ++stats_.write_errors;
  }
  if (st.code() == StatusCode::kResourceExhausted) options_.index_writer->RequestRetention();
  // A failing disk fails every GOP of every stream: report a few per stream and minute.
  LogRateLimiter& limiter =
      error_reports_.try_emplace(s, std::chrono::minutes(1), 3).first->second;
  int suppressed = 0;
  if (limiter.Allow(std::chrono::steady_clock::now(), &suppressed)) {
    SL_LOG(kError) << "camera=" << s->camera() << " stream=" << s->stream()
                   << " write failed, segment abandoned: " << st << " (" << suppressed
                   << " more not reported)";
    options_.index_writer->AddEvent({UnixMicros(options_.clock->WallNow()),
                                     st.code() == StatusCode::kResourceExhausted ? "disk_full"
                                                                                 : "write_error",
                                     s->camera(), s->stream(), st.message()});
  }
  if (seg != nullptr) {
    auto node = open_.extract(s);
    Abandon(std::move(node.mapped()));
  }
}

void DirWriter::Abandon(std::unique_ptr<SegmentWriter> seg) {
  MutexLock lock(mu_);
  ++stats_.segments_abandoned;
  if (seg->has_durable_fragments()) {
    abandoned_rows_.push_back(seg->DurableRow(/*open=*/false));
  } else {
    env_.Remove(seg->path()).IgnoreError();  // never committed: nothing refers to it
  }
}

void DirWriter::Flush() {
  {
    MutexLock lock(mu_);
    ++stats_.flushes;
  }
  // Directory entries first: a file whose name can vanish must not be committed.
  for (const std::string& dir : dirs_to_sync_) {
    Status st = env_.SyncDir(dir);
    if (!st.ok()) {
      options_.on_fatal(std::move(st).WithContext("storage directory sync (fatal)"));
      return;
    }
  }
  dirs_to_sync_.clear();

  std::vector<SegmentRow> rows = std::move(abandoned_rows_);
  abandoned_rows_.clear();
  auto sync = [&](std::unique_ptr<SegmentWriter>& seg, bool open) -> bool {
    if (seg->has_unsynced_data()) {
      Status st = env_.CrashPoint("writer.before_sync");
      if (st.ok()) st = seg->Sync();
      if (!st.ok()) {
        {
          MutexLock lock(mu_);
          ++stats_.sync_errors;
        }
        SL_LOG(kError) << "fdatasync failed, segment abandoned: " << st;
        Abandon(std::move(seg));
        return false;
      }
    } else if (open) {
      return true;  // nothing new to commit
    }
    if (seg->has_durable_fragments()) rows.push_back(seg->DurableRow(open));
    return true;
  };
  // Older data first (closed segments before the open ones that follow them), so that a
  // crash in the middle of a flush leaves each stream's durable recording gapless.
  for (std::unique_ptr<SegmentWriter>& seg : closing_) {
    if (sync(seg, /*open=*/false) && !seg->has_durable_fragments()) {
      env_.Remove(seg->path()).IgnoreError();
    }
  }
  closing_.clear();
  for (auto it = open_.begin(); it != open_.end();) {
    if (sync(it->second, /*open=*/true)) {
      ++it;
    } else {
      it = open_.erase(it);
    }
  }
  if (!env_.CrashPoint("writer.after_sync").ok()) return;
  if (!rows.empty()) options_.index_writer->Submit(std::move(rows));
}

}  // namespace sightline::store
