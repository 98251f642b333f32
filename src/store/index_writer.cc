#include "store/index_writer.h"

#include <algorithm>
#include <set>

namespace sightline::store {
namespace {

constexpr int64_t kDayUs = int64_t{24} * 3600 * 1'000'000;

// Segments of a tier kept `days` end before this.
int64_t TierCutoff(int64_t now_us, int64_t days) { return now_us - std::max(days * kDayUs, kTierMinAgeUs); }

}  // namespace

IndexWriter::IndexWriter(IndexWriterOptions options)
    : options_(std::move(options)),
      index_(*options_.index),
      env_(*options_.env),
      next_motion_event_id_(options_.first_motion_event_id) {}

IndexWriter::~IndexWriter() { Stop(); }

void IndexWriter::Start() { thread_ = std::thread([this] { Run(); }); }

void IndexWriter::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void IndexWriter::Submit(std::vector<SegmentRow> rows) {
  {
    MutexLock lock(mu_);
    // A later row of the same segment supersedes an earlier one not yet committed.
    for (SegmentRow& r : rows) pending_rows_[{r.stream_id, r.seq}] = std::move(r);
  }
  cv_.NotifyOne();
}

void IndexWriter::AddEvent(EventRow event) {
  {
    MutexLock lock(mu_);
    pending_events_.push_back(std::move(event));
  }
  cv_.NotifyOne();
}

void IndexWriter::SubmitMotionEvent(MotionEventRow row) {
  {
    MutexLock lock(mu_);
    QueueMotionEventLocked(std::move(row), /*older=*/false);
  }
  cv_.NotifyOne();
}

void IndexWriter::QueueMotionEventLocked(MotionEventRow row, bool older) {
  const int64_t id = row.id;
  auto it = pending_motion_events_.find(id);
  if (it == pending_motion_events_.end()) {
    pending_motion_events_.emplace(id, std::move(row));
    return;
  }
  MotionEventRow& newer = older ? it->second : row;
  MotionEventRow& earlier = older ? row : it->second;
  if (newer.thumbnail.empty()) newer.thumbnail = std::move(earlier.thumbnail);
  if (!older) it->second = std::move(row);
}

void IndexWriter::SubmitMotionGrids(MotionGridChunk chunk) {
  Status valid = ValidateMotionGridChunk(chunk);
  const uint64_t bytes = chunk.data.size() + chunk.any_grid.size();
  {
    MutexLock lock(mu_);
    if (valid.ok() && pending_grid_bytes_ + bytes <= options_.max_pending_grid_bytes) {
      pending_grid_bytes_ += bytes;
      pending_grids_.push_back(std::move(chunk));
    } else {
      ++stats_.grid_chunks_dropped;
      if (valid.ok()) {
        valid = ResourceExhaustedError("camera=" + chunk.camera + " stream=" + chunk.stream + " " +
                                       std::to_string(pending_grid_bytes_) +
                                       " bytes of motion grids wait for the index: dropping a chunk");
      }
    }
  }
  int suppressed = 0;
  if (!valid.ok() && grid_drop_log_.Allow(std::chrono::steady_clock::now(), &suppressed)) {
    SL_LOG(kWarning) << valid << (suppressed > 0 ? " (" + std::to_string(suppressed) + " more not logged)" : "");
  }
  cv_.NotifyOne();
}

void IndexWriter::RequestRetention() {
  {
    MutexLock lock(mu_);
    retention_requested_ = true;
  }
  cv_.NotifyOne();
}

IndexWriterStats IndexWriter::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void IndexWriter::Run() {
  MonoTime next_retention = options_.clock->Now();
  for (;;) {
    bool stop, retention;
    {
      MutexLock lock(mu_);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      while (pending_rows_.empty() && pending_events_.empty() && pending_motion_events_.empty() &&
             pending_grids_.empty() && !retention_requested_ && !stopping_ &&
             cv_.WaitUntil(mu_, deadline)) {
      }
      stop = stopping_;
      retention = retention_requested_;
      retention_requested_ = false;
    }
    const bool committed = CommitPending();
    if (stop) return;
    if (!committed) {
      // Retry later, not in a tight loop: a broken disk or database will not heal at once.
      MutexLock lock(mu_);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      while (!stopping_ && cv_.WaitUntil(mu_, deadline)) {
      }
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
  IndexBatch batch;
  {
    MutexLock lock(mu_);
    for (auto& [key, row] : pending_rows_) batch.segments.push_back(std::move(row));
    pending_rows_.clear();
    batch.events.swap(pending_events_);
    for (auto& [id, row] : pending_motion_events_) batch.motion_events.push_back(std::move(row));
    pending_motion_events_.clear();
    batch.grid_chunks.swap(pending_grids_);
    pending_grid_bytes_ = 0;
  }
  if (batch.segments.empty() && batch.events.empty() && batch.motion_events.empty() &&
      batch.grid_chunks.empty()) {
    return true;
  }
  Status st = env_.CrashPoint("index.before_commit");
  const MonoTime started = options_.clock->Now();
  if (st.ok()) st = index_.Commit(batch);
  if (st.ok() && options_.on_commit) {
    options_.on_commit(std::chrono::duration_cast<std::chrono::microseconds>(options_.clock->Now() - started));
  }
  MutexLock lock(mu_);
  if (!st.ok()) {
    ++stats_.commit_errors;
    if (st.code() == StatusCode::kResourceExhausted) retention_requested_ = true;
    SL_LOG(kError) << "index commit of " << batch.segments.size() << " segment rows, " << batch.events.size()
                   << " events, " << batch.motion_events.size() << " motion events and "
                   << batch.grid_chunks.size() << " grid chunks failed, will retry: " << st;
    // Retry with the next batch; rows submitted meanwhile are newer and win.
    for (SegmentRow& r : batch.segments) pending_rows_.try_emplace({r.stream_id, r.seq}, std::move(r));
    pending_events_.insert(pending_events_.begin(), batch.events.begin(), batch.events.end());
    for (MotionEventRow& e : batch.motion_events) QueueMotionEventLocked(std::move(e), /*older=*/true);
    for (const MotionGridChunk& c : batch.grid_chunks) pending_grid_bytes_ += c.data.size() + c.any_grid.size();
    pending_grids_.insert(pending_grids_.begin(), std::make_move_iterator(batch.grid_chunks.begin()),
                          std::make_move_iterator(batch.grid_chunks.end()));
    return false;
  }
  ++stats_.commits;
  stats_.rows_committed += batch.segments.size();
  stats_.motion_events_committed += batch.motion_events.size();
  stats_.grid_chunks_committed += batch.grid_chunks.size();
  return true;
}

Status IndexWriter::RunRetention() {
  uint64_t deleted_before;
  {
    MutexLock lock(mu_);
    ++stats_.retention_runs;
    deleted_before = stats_.segments_deleted;
  }
  const int64_t now_us = UnixMicros(options_.clock->WallNow());
  ASSIGN_OR_RETURN(std::vector<StreamRow> streams, index_.Streams());
  std::map<int64_t, StreamRow> by_id;
  for (StreamRow& s : streams) by_id[s.id] = s;

  for (const RetentionStream& rs : options_.streams) {
    const Retention& r = rs.retention;
    auto it = by_id.find(rs.stream_id);
    if (it == by_id.end()) continue;
    int64_t bytes = it->second.bytes;
    // max_bytes and max_age: the oldest segments first, with motion or not.
    while (r.max_age_s != 0 || r.max_bytes != 0) {
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
    if (r.continuous_days) {
      const std::string& camera = it->second.camera;
      int64_t without_cutoff = TierCutoff(now_us, *r.continuous_days);
      // What an open event may still cover waits until the event has closed (and the
      // segments it overlaps are flagged): only segments that end before its start go.
      ASSIGN_OR_RETURN(std::optional<int64_t> open_start, index_.OldestOpenMotionEventStart(camera));
      if (open_start) without_cutoff = std::min(without_cutoff, *open_start + 1);
      RETURN_IF_ERROR(DeleteOldest(rs.stream_id, MotionTier::kWithoutMotion, without_cutoff));
      RETURN_IF_ERROR(DeleteOldest(rs.stream_id, MotionTier::kWithMotion,
                                   TierCutoff(now_us, r.motion_days.value_or(*r.continuous_days))));
    }
  }

  for (const RetentionDir& d : options_.dirs) {
    if (d.min_free_bytes == 0) continue;
    for (int round = 0; round < 1000; ++round) {
      ASSIGN_OR_RETURN(uint64_t free_bytes, env_.FreeBytes(d.path));
      if (free_bytes >= d.min_free_bytes) break;
      ASSIGN_OR_RETURN(std::vector<SegmentRow> victims, index_.OldestDeletable(0, d.dir_id, 8));
      if (victims.empty()) {
        MutexLock lock(mu_);
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
        MutexLock lock(mu_);
        if (round == 0) {
          pending_events_.push_back({now_us, "disk_full", "", "",
                                     "free space on " + d.path + " below min_free: deleting the "
                                     "oldest recordings"});
        }
      }
      RETURN_IF_ERROR(DeleteSegments(victims));
    }
  }

  // Motion grids and events are kept as long as the camera's oldest recording: after the
  // first run, only when this run deleted something.
  bool deleted;
  {
    MutexLock lock(mu_);
    deleted = stats_.segments_deleted != deleted_before;
  }
  if (deleted || !motion_data_checked_) {
    std::set<std::string> cameras;
    for (const RetentionStream& rs : options_.streams) {
      if (auto it = by_id.find(rs.stream_id); it != by_id.end()) cameras.insert(it->second.camera);
    }
    for (const std::string& camera : cameras) {
      ASSIGN_OR_RETURN(std::optional<int64_t> oldest, index_.OldestSegmentStart(camera));
      if (!oldest) continue;  // nothing recorded (yet): nothing to measure against
      ASSIGN_OR_RETURN(int64_t rows, index_.DeleteMotionDataBefore(camera, *oldest));
      MutexLock lock(mu_);
      stats_.motion_rows_deleted += static_cast<uint64_t>(rows);
    }
    motion_data_checked_ = true;
  }
  return Status();
}

Status IndexWriter::DeleteOldest(int64_t stream_id, MotionTier tier, int64_t cutoff_us) {
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<SegmentRow> candidates, index_.OldestDeletable(stream_id, 0, 64, tier));
    std::vector<SegmentRow> victims;
    for (SegmentRow& c : candidates) {
      if (c.end_us >= cutoff_us) break;
      victims.push_back(std::move(c));
    }
    if (victims.empty()) return Status();
    RETURN_IF_ERROR(DeleteSegments(victims));
    if (victims.size() < candidates.size()) return Status();
  }
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
  MutexLock lock(mu_);
  stats_.segments_deleted += done.size();
  stats_.bytes_deleted += bytes;
  return Status();
}

}  // namespace sightline::store
