#include "store/index_writer.h"

#include <set>

#include "base/logging.h"

namespace sightline::store {
IndexWriter::IndexWriter(IndexWriterOptions options)
    : options_(std::move(options)), index_(*options_.index), env_(*options_.env) {}

IndexWriter::~IndexWriter() { Stop(); }

void IndexWriter::Start() { thread_ = std::thread([this] { Run(); }); }

void IndexWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IndexWriter::Submit(std::vector<SegmentRow> rows) {
  {
    std::lock_guard lock(mu_);
    // A later row of the same segment supersedes an earlier one not yet committed.
    for (SegmentRow& r : rows) pending_rows_[{r.stream_id, r.seq}] = std::move(r);
  }
  cv_.notify_one();
}

void IndexWriter::AddEvent(EventRow event) {
  {
    std::lock_guard lock(mu_);
    pending_events_.push_back(std::move(event));
  }
  cv_.notify_one();
}

void IndexWriter::RequestRetention() {
  {
    std::lock_guard lock(mu_);
    retention_requested_ = true;
  }
  cv_.notify_one();
}

IndexWriterStats IndexWriter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void IndexWriter::Run() {
  MonoTime next_retention = options_.clock->Now();
  for (;;) {
    bool stop, retention;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [&] {
        return !pending_rows_.empty() || !pending_events_.empty() || retention_requested_ ||
               stopping_;
      });
      stop = stopping_;
      retention = retention_requested_;
      retention_requested_ = false;
    }
    const bool committed = CommitPending();
    if (stop) return;
    if (!committed) {
      // Retry later, not in a tight loop: a broken disk or database will not heal at once.
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
    if (retention || options_.clock->Now() >= next_retention) {
      Status st = RunRetention();
      if (!st.ok()) {
        SL_LOG(kError) << "retention: " << st;
      }
      next_retention = options_.clock->Now() + options_.retention_interval;
    }
  }
}

bool IndexWriter::CommitPending() {
  std::vector<SegmentRow> rows;
  std::vector<EventRow> events;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, row] : pending_rows_) rows.push_back(std::move(row));
    pending_rows_.clear();
    events.swap(pending_events_);
  }
  if (rows.empty() && events.empty()) return true;
  Status st = env_.CrashPoint("index.before_commit");
  if (st.ok()) st = index_.CommitSegments(rows, events);
  std::lock_guard lock(mu_);
  if (!st.ok()) {
    ++stats_.commit_errors;
    if (st.code() == StatusCode::kResourceExhausted) retention_requested_ = true;
    SL_LOG(kError) << "index commit of " << rows.size() << " segment rows and " << events.size()
                   << " events failed, will retry: "
                   << st;
    // Retry with the next batch; rows submitted meanwhile are newer and win.
    for (SegmentRow& r : rows) pending_rows_.try_emplace({r.stream_id, r.seq}, std::move(r));
    pending_events_.insert(pending_events_.begin(), events.begin(), events.end());
    return false;
  }
  ++stats_.commits;
  stats_.rows_committed += rows.size();
  return true;
}

Status IndexWriter::RunRetention() {
  {
    std::lock_guard lock(mu_);
    ++stats_.retention_runs;
  }
  const int64_t now_us = UnixMicros(options_.clock->WallNow());
  ASSIGN_OR_RETURN(std::vector<StreamRow> streams, index_.Streams());
  std::map<int64_t, StreamRow> by_id;
  for (StreamRow& s : streams) by_id[s.id] = s;

  for (const RetentionStream& rs : options_.streams) {
    const Retention& r = rs.retention;
    if (r.max_age_s == 0 && r.max_bytes == 0) continue;
    auto it = by_id.find(rs.stream_id);
    if (it == by_id.end()) continue;
    int64_t bytes = it->second.bytes;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<SegmentRow> candidates,
                       index_.OldestDeletable(rs.stream_id, 0, 64));
      std::vector<SegmentRow> victims;
      for (SegmentRow& c : candidates) {
        const bool too_big = r.max_bytes != 0 && bytes > r.max_bytes;
        const bool too_old = r.max_age_s != 0 && c.end_us < now_us - r.max_age_s * 1'000'000;
        if (!too_big && !too_old) break;
        bytes -= static_cast<int64_t>(c.durable_length);
        victims.push_back(std::move(c));
      }
      if (victims.empty()) break;
      RETURN_IF_ERROR(DeleteSegments(victims));
      if (victims.size() < candidates.size()) break;
    }
  }

  for (const RetentionDir& d : options_.dirs) {
    if (d.min_free_bytes == 0) continue;
    for (int round = 0; round < 1000; ++round) {
      ASSIGN_OR_RETURN(uint64_t free_bytes, env_.FreeBytes(d.path));
      if (free_bytes >= d.min_free_bytes) break;
      ASSIGN_OR_RETURN(std::vector<SegmentRow> victims, index_.OldestDeletable(0, d.dir_id, 8));
      if (victims.empty()) {
        std::lock_guard lock(mu_);
        ++stats_.disk_full_nothing_to_delete;
        const MonoTime now = options_.clock->Now();
        if (last_nothing_to_delete_event_ == MonoTime{} ||
            now - last_nothing_to_delete_event_ > std::chrono::seconds(60)) {
          last_nothing_to_delete_event_ = now;
          const std::string msg = "disk full: " + d.path + " has " +
                                  std::to_string(free_bytes) + " bytes free, below min_free " +
                                  std::to_string(d.min_free_bytes) +
                                  ", and no unprotected closed segment is left to delete";
          SL_LOG(kError) << msg;
          pending_events_.push_back({now_us, "disk_full", "", "", msg});
        }
        break;
      }
      {
        std::lock_guard lock(mu_);
        if (round == 0) {
          pending_events_.push_back({now_us, "disk_full", "", "",
                                     "free space on " + d.path + " below min_free: deleting the "
                                     "oldest recordings"});
        }
      }
      RETURN_IF_ERROR(DeleteSegments(victims));
    }
  }
  return Status();
}

Status IndexWriter::DeleteSegments(const std::vector<SegmentRow>& victims) {
  ASSIGN_OR_RETURN(std::vector<StreamRow> streams, index_.Streams());
  std::map<int64_t, const StreamRow*> names;
  for (const StreamRow& s : streams) names[s.id] = &s;
  std::map<int64_t, std::string> dir_paths;
  for (const RetentionDir& d : options_.dirs) dir_paths[d.dir_id] = d.path;

  std::vector<std::string> rel;
  for (const SegmentRow& v : victims) {
    const StreamRow* s = names.at(v.stream_id);
    rel.push_back(SegmentRelativePath(s->camera, s->stream, v.seq));
  }
  RETURN_IF_ERROR(index_.MoveToGarbage(victims, rel));
  RETURN_IF_ERROR(env_.CrashPoint("retention.after_garbage"));
  std::set<std::string> dirs;
  std::vector<std::pair<int64_t, std::string>> done;
  uint64_t bytes = 0;
  for (size_t i = 0; i < victims.size(); ++i) {
    auto d = dir_paths.find(victims[i].dir_id);
    if (d == dir_paths.end()) continue;  // a directory not configured now: left in garbage
    const std::string path = d->second + "/" + rel[i];
    RETURN_IF_ERROR(env_.Remove(path));
    dirs.insert(DirName(path));
    done.emplace_back(victims[i].dir_id, rel[i]);
    bytes += victims[i].durable_length;
  }
  for (const std::string& dir : dirs) {
    Status st = env_.SyncDir(dir);
    if (!st.ok()) {
      options_.on_fatal(st);
      return st;
    }
  }
  RETURN_IF_ERROR(env_.CrashPoint("retention.before_clear_garbage"));
  RETURN_IF_ERROR(index_.ClearGarbage(done));
  std::lock_guard lock(mu_);
  stats_.segments_deleted += done.size();
  stats_.bytes_deleted += bytes;
  return Status();
}

}  // namespace sightline::store
