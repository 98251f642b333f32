#include "store/recovery.h"

#include <map>
#include <set>

#include "base/logging.h"
#include "media/stream_params.h"
#include "mp4/fragment.h"
#include "store/fragment_table.h"
#include "store/meta_file.h"

namespace sightline::store {
namespace {

std::string AsString(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Appends scanned fragments to `entries`, keeping decode times contiguous.
void AppendFragments(const std::vector<mp4::FragmentInfo>& scanned,
                     std::vector<FragmentEntry>& entries, int64_t& frames) {
  for (const mp4::FragmentInfo& f : scanned) {
    FragmentEntry e;
    e.offset = f.offset;
    e.length = f.length;
    e.decode_time_90k =
        entries.empty() ? 0 : entries.back().decode_time_90k + entries.back().duration_90k;
    e.duration_90k = f.duration_90k;
    e.wall_us = f.wall_time_us;
    e.samples = f.sample_count;
    entries.push_back(e);
    frames += f.sample_count;
  }
}

void FillFromEntries(SegmentRow& row, const std::vector<FragmentEntry>& entries,
                     uint64_t valid_end, int64_t frames) {
  int64_t duration = 0;
  for (const FragmentEntry& e : entries) duration += e.duration_90k;
  row.end_us = row.start_us + Ticks90kToUs(duration);
  row.durable_length = valid_end;
  row.frames = frames;
  row.fragments = EncodeFragmentTable(entries, row.init_length, row.start_us);
  row.open = false;
}

}  // namespace

std::string RecoveryReport::ToString() const {
  return "garbage_removed=" + std::to_string(garbage_removed) +
         " open_segments=" + std::to_string(open_segments) +
         " fragments_adopted=" + std::to_string(fragments_adopted) +
         " bytes_truncated=" + std::to_string(bytes_truncated) +
         " orphans_adopted=" + std::to_string(orphans_adopted) +
         " orphans_deleted=" + std::to_string(orphans_deleted) +
         " segments_lost_data=" + std::to_string(segments_lost_data);
}

Result<std::vector<StorageDir>> OpenStorageDirs(Env& env, Index& index,
                                                const std::vector<std::string>& paths,
                                                const std::string& index_path, bool adopt) {
  ASSIGN_OR_RETURN(const int64_t generation, index.Generation());
  ASSIGN_OR_RETURN(std::vector<DirRow> known, index.Dirs());
  const int64_t next_generation = generation + 1;
  std::vector<StorageDir> out;
  std::vector<DirMeta> metas;
  for (const std::string& path : paths) {
    const std::string ctx = "storage directory " + path;
    RETURN_IF_ERROR(env.CreateDirs(path).WithContext(ctx));
    const std::string meta_path = path + "/" + kMetaFileName;
    const DirRow* by_path = nullptr;
    for (const DirRow& d : known) {
      if (d.path == path) by_path = &d;
    }
    DirMeta meta;
    // Adoption: the row of the directory's uuid, else of its path, unless another directory
    // of this call took it already (a copied disk); else a new row.
    auto take_over = [&](const std::string& uuid, const std::string& why) -> Status {
      SL_LOG(kWarning) << "adopting it into this index: " << why;
      const DirRow* row = by_path;
      for (const DirRow& d : known) {
        if (d.uuid == uuid) row = &d;
      }
      for (const StorageDir& taken : out) {
        if (row != nullptr && taken.dir_id == row->id) row = nullptr;
      }
      if (row != nullptr) {
        if (row->path != path) RETURN_IF_ERROR(index.SetDirPath(row->id, path));
        meta.dir_uuid = row->uuid;
        out.push_back({row->id, path});
      } else {
        bool uuid_free = !uuid.empty();
        for (const DirRow& d : known) uuid_free = uuid_free && d.uuid != uuid;
        if (uuid_free) {
          meta.dir_uuid = uuid;
        } else {
          ASSIGN_OR_RETURN(meta.dir_uuid, NewUuid());
        }
        ASSIGN_OR_RETURN(int64_t id, index.AddDir(meta.dir_uuid, path));
        out.push_back({id, path});
      }
      meta.db_uuid = index.db_uuid();
      return Status();
    };
    if (!env.Exists(meta_path)) {
      ASSIGN_OR_RETURN(std::vector<std::string> names, env.ListDir(path));
      std::erase_if(names, [&](const std::string& n) {
        return (path + "/" + n).starts_with(index_path);
      });
      if (!names.empty()) {
        const std::string refusal =
            ctx + " is not empty but has no meta file: it is not a Sightline storage directory"
                  " (or its meta file was lost; `sightline check --rebuild-index` adopts it)";
        if (!adopt) return FailedPreconditionError(refusal);
        RETURN_IF_ERROR(take_over("", refusal));
      } else if (by_path != nullptr) {
        // Known to the index but empty: a disk that is not mounted, unless nothing was ever
        // recorded there (a crash between adding the row and writing the meta file).
        ASSIGN_OR_RETURN(std::vector<SegmentRow> any, index.OldestDeletable(0, by_path->id, 1));
        if (!any.empty()) {
          return FailedPreconditionError(
              ctx + " is empty, but the index has recordings there: is the disk mounted?");
        }
        meta.dir_uuid = by_path->uuid;
        out.push_back({by_path->id, path});
      } else {
        ASSIGN_OR_RETURN(meta.dir_uuid, NewUuid());
        ASSIGN_OR_RETURN(int64_t id, index.AddDir(meta.dir_uuid, path));
        out.push_back({id, path});
      }
      meta.db_uuid = index.db_uuid();
    } else {
      ASSIGN_OR_RETURN(Bytes text, env.Read(meta_path, 0, 4096));
      Result<DirMeta> parsed = ParseDirMeta(AsString(text));
      if (!parsed.ok()) return std::move(parsed).status().WithContext(meta_path);
      meta = *parsed;
      const DirRow* row = nullptr;
      for (const DirRow& d : known) {
        if (d.uuid == meta.dir_uuid) row = &d;
      }
      std::string refusal;  // why the meta file does not fit this index
      if (meta.db_uuid != index.db_uuid()) {
        refusal = ctx + " belongs to another index (db uuid " + meta.db_uuid +
                  ", this index is " + index.db_uuid() + "): wrong disk or wrong index path?";
      } else if (row == nullptr) {
        refusal = ctx + " (uuid " + meta.dir_uuid +
                  ") is not in the index: was the index restored from a"
                  " backup? Run `sightline check --rebuild-index`";
      } else if (meta.generation != generation && meta.generation != next_generation) {
        refusal = ctx + " is at generation " + std::to_string(meta.generation) +
                  " but the index is at " + std::to_string(generation) +
                  (meta.generation > generation
                       ? ": the index is older than the disk (restored from a backup?)."
                       : ": the disk is older than the index (an old copy of the disk?).") +
                  " Run `sightline check --rebuild-index` to rebuild the index from the files";
      }
      if (!refusal.empty()) {
        if (!adopt) return FailedPreconditionError(refusal);
        RETURN_IF_ERROR(take_over(meta.dir_uuid, refusal));
      } else {
        if (row->path != path) {
          SL_LOG(kWarning) << ctx << " was at " << row->path << " before; updating the index";
          RETURN_IF_ERROR(index.SetDirPath(row->id, path));
        }
        out.push_back({row->id, path});
      }
    }
    meta.generation = next_generation;
    metas.push_back(meta);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string text = FormatDirMeta(metas[i]);
    RETURN_IF_ERROR(WriteFileAtomically(env, out[i].path + "/" + kMetaFileName, AsBytes(text))
                        .WithContext("storage directory " + out[i].path));
  }
  RETURN_IF_ERROR(index.SetGeneration(next_generation));
  return out;
}

Result<SegmentRow> RowFromFile(Env& env, const std::string& path, int64_t stream_id, int64_t seq,
                               int64_t dir_id, uint64_t* valid_end) {
  ASSIGN_OR_RETURN(uint64_t size, env.FileSize(path));
  ASSIGN_OR_RETURN(Bytes bytes, env.Read(path, 0, size));
  Result<mp4::InitInfo> init = mp4::ParseInitSegment(bytes);
  if (!init.ok()) return std::move(init).status().WithContext(path);
  Result<std::shared_ptr<const media::StreamParams>> params =
      media::MakeStreamParams(init->codec, init->vps, init->sps, init->pps);
  if (!params.ok()) return std::move(params).status().WithContext(path);
  const mp4::ScanResult scan =
      mp4::ScanFragments(ByteSpan(bytes).subspan(init->length), init->length);
  SegmentRow row;
  row.stream_id = stream_id;
  row.seq = seq;
  row.dir_id = dir_id;
  row.codec = (*params)->codec_string;
  row.width = (*params)->width;
  row.height = (*params)->height;
  row.init_length = init->length;
  row.start_us = scan.fragments.empty() ? 0 : scan.fragments[0].wall_time_us;
  std::vector<FragmentEntry> entries;
  int64_t frames = 0;
  AppendFragments(scan.fragments, entries, frames);
  FillFromEntries(row, entries, scan.fragments.empty() ? init->length : scan.valid_end, frames);
  *valid_end = row.durable_length;
  return row;
}

Result<RecoveryReport> Recover(Env& env, Index& index, const std::vector<StorageDir>& dirs,
                               int64_t now_us) {
  RecoveryReport report;
  std::map<int64_t, std::string> dir_path;
  for (const StorageDir& d : dirs) dir_path[d.dir_id] = d.path;
  ASSIGN_OR_RETURN(std::vector<StreamRow> streams, index.Streams());
  std::map<int64_t, StreamRow> stream_by_id;
  for (const StreamRow& s : streams) stream_by_id[s.id] = s;
  auto file_of = [&](const SegmentRow& r) {
    const StreamRow& s = stream_by_id.at(r.stream_id);
    return dir_path.at(r.dir_id) + "/" + SegmentRelativePath(s.camera, s.stream, r.seq);
  };

  // Step 4: garbage.
  ASSIGN_OR_RETURN(auto garbage, index.Garbage());
  std::set<std::string> dirs_to_sync;
  std::vector<std::pair<int64_t, std::string>> removed;
  for (const auto& [dir_id, rel] : garbage) {
    auto d = dir_path.find(dir_id);
    if (d == dir_path.end()) continue;
    const std::string path = d->second + "/" + rel;
    RETURN_IF_ERROR(env.Remove(path));
    dirs_to_sync.insert(DirName(path));
    removed.emplace_back(dir_id, rel);
  }
  for (const std::string& dir : dirs_to_sync) {
    if (env.Exists(dir)) RETURN_IF_ERROR(env.SyncDir(dir));
  }
  RETURN_IF_ERROR(index.ClearGarbage(removed));
  report.garbage_removed = static_cast<int64_t>(removed.size());

  // Step 5: segments that were being written.
  std::vector<SegmentRow> updates;
  std::vector<SegmentRow> vanished;
  std::vector<EventRow> events;
  ASSIGN_OR_RETURN(std::vector<SegmentRow> open, index.OpenSegments());
  for (SegmentRow& row : open) {
    if (!dir_path.contains(row.dir_id)) continue;  // its disk is not configured now
    ++report.open_segments;
    const std::string path = file_of(row);
    Result<uint64_t> size = env.FileSize(path);
    if (!size.ok()) {
      ++report.segments_lost_data;
      events.push_back({now_us, "recovery", stream_by_id.at(row.stream_id).camera,
                        stream_by_id.at(row.stream_id).stream,
                        "segment file " + path + " is missing: " + size.status().message()});
      vanished.push_back(row);
      continue;
    }
    if (*size < row.durable_length) {
      ++report.segments_lost_data;
      uint64_t valid_end = 0;
      Result<SegmentRow> rebuilt = RowFromFile(env, path, row.stream_id, row.seq, row.dir_id,
                                               &valid_end);
      const std::string msg = "segment file " + path + " has " + std::to_string(*size) +
                              " bytes, fewer than its durable length " +
                              std::to_string(row.durable_length) +
                              ": the disk lost acknowledged writes";
      SL_LOG(kError) << msg;
      events.push_back({now_us, "recovery", stream_by_id.at(row.stream_id).camera,
                        stream_by_id.at(row.stream_id).stream, msg});
      if (!rebuilt.ok() || rebuilt->frames == 0) {
        vanished.push_back(row);
        continue;
      }
      if (valid_end < *size) RETURN_IF_ERROR(env.Truncate(path, valid_end));
      rebuilt->is_protected = row.is_protected;
      updates.push_back(std::move(*rebuilt));
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<FragmentEntry> entries,
                     DecodeFragmentTable(row.fragments, row.init_length, row.start_us));
    uint64_t valid_end = row.durable_length;
    int64_t frames = row.frames;
    if (*size > row.durable_length) {
      ASSIGN_OR_RETURN(Bytes tail, env.Read(path, row.durable_length, *size - row.durable_length));
      const mp4::ScanResult scan = mp4::ScanFragments(tail, row.durable_length);
      AppendFragments(scan.fragments, entries, frames);
      report.fragments_adopted += static_cast<int64_t>(scan.fragments.size());
      if (!scan.fragments.empty()) valid_end = scan.valid_end;
      if (valid_end < *size) {
        report.bytes_truncated += static_cast<int64_t>(*size - valid_end);
        RETURN_IF_ERROR(env.Truncate(path, valid_end));
      }
    }
    FillFromEntries(row, entries, valid_end, frames);
    updates.push_back(std::move(row));
  }

  // Step 6: files after each stream's last committed seq.
  for (const StreamRow& s : streams) {
    ASSIGN_OR_RETURN(int64_t max_seq, index.MaxSeq(s.id));
    for (const StorageDir& d : dirs) {
      int misses = 0;
      for (int64_t seq = max_seq + 1; misses < 3; ++seq) {
        const std::string path = d.path + "/" + SegmentRelativePath(s.camera, s.stream, seq);
        if (!env.Exists(path)) {
          ++misses;
          continue;
        }
        misses = 0;
        uint64_t valid_end = 0;
        Result<SegmentRow> row = RowFromFile(env, path, s.id, seq, d.dir_id, &valid_end);
        if (!row.ok() || row->frames == 0) {
          ++report.orphans_deleted;
          RETURN_IF_ERROR(env.Remove(path));
          RETURN_IF_ERROR(env.SyncDir(DirName(path)));
          continue;
        }
        ASSIGN_OR_RETURN(uint64_t size, env.FileSize(path));
        if (valid_end < size) {
          report.bytes_truncated += static_cast<int64_t>(size - valid_end);
          RETURN_IF_ERROR(env.Truncate(path, valid_end));
        }
        ++report.orphans_adopted;
        updates.push_back(std::move(*row));
      }
    }
  }
  if (!vanished.empty()) {
    std::vector<std::string> rel;
    for (const SegmentRow& r : vanished) {
      const StreamRow& s = stream_by_id.at(r.stream_id);
      rel.push_back(SegmentRelativePath(s.camera, s.stream, r.seq));
    }
    RETURN_IF_ERROR(index.MoveToGarbage(vanished, rel));
  }
  RETURN_IF_ERROR(index.CommitSegments(updates, events));
  return report;
}

}  // namespace sightline::store
