#include "store/check.h"

#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "mp4/fragment.h"
#include "store/fragment_table.h"

namespace sightline::store {
namespace {

// "0000000042.mp4" -> 42.
std::optional<int64_t> SeqOfFileName(const std::string& name) {
  if (name.size() != 14 || !name.ends_with(".mp4")) return std::nullopt;
  int64_t seq = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + 10, seq);
  if (ec != std::errc() || p != name.data() + 10 || seq <= 0) return std::nullopt;
  return seq;
}

struct FoundFile {
  int64_t dir_id;
  std::string camera, stream;
  int64_t seq;
  std::string path;
};

Result<std::vector<FoundFile>> ListSegmentFiles(Env& env, const std::vector<StorageDir>& dirs) {
  std::vector<FoundFile> out;
  for (const StorageDir& d : dirs) {
    ASSIGN_OR_RETURN(std::vector<std::string> cameras, env.ListDir(d.path));
    for (const std::string& cam : cameras) {
      Result<std::vector<std::string>> streams = env.ListDir(d.path + "/" + cam);
      if (!streams.ok()) continue;  // the meta file, or another file
      for (const std::string& st : *streams) {
        Result<std::vector<std::string>> files = env.ListDir(d.path + "/" + cam + "/" + st);
        if (!files.ok()) continue;
        for (const std::string& f : *files) {
          if (std::optional<int64_t> seq = SeqOfFileName(f)) {
            out.push_back({d.dir_id, cam, st, *seq, d.path + "/" + cam + "/" + st + "/" + f});
          }
        }
      }
    }
  }
  return out;
}

// The files without rows that recovery's step 6 (docs/design/storage.md) takes in: for each
// stream and directory, seq after the stream's largest committed seq, probed in order until
// three in a row are absent. A crash leaves such files (written before their first commit),
// so they are recoverable state, not damage. Mirrors Recover(); `files` are those listed.
Result<std::set<std::string>> FilesRecoveryTakesIn(Index& index,
                                                   const std::vector<StreamRow>& streams,
                                                   const std::vector<FoundFile>& files) {
  std::map<std::tuple<int64_t, std::string, std::string>, std::map<int64_t, std::string>> by_dir;
  for (const FoundFile& f : files) by_dir[{f.dir_id, f.camera, f.stream}][f.seq] = f.path;
  std::set<std::string> out;
  for (const StreamRow& s : streams) {
    ASSIGN_OR_RETURN(int64_t max_seq, index.MaxSeq(s.id));
    for (const auto& [key, seqs] : by_dir) {
      if (std::get<1>(key) != s.camera || std::get<2>(key) != s.stream) continue;
      int64_t last = max_seq;
      for (auto it = seqs.upper_bound(max_seq); it != seqs.end() && it->first - last <= 3; ++it) {
        out.insert(it->second);
        last = it->first;
      }
    }
  }
  return out;
}

// What recovery (or --repair) does with a file it takes in, for the report.
std::string RecoveryOf(Env& env, const FoundFile& f) {
  uint64_t valid_end = 0;
  Result<SegmentRow> row = RowFromFile(env, f.path, 0, f.seq, f.dir_id, &valid_end);
  if (!row.ok() || row->frames == 0) {
    return f.path + ": written after the last index commit (a crash), holds no complete"
                    " fragment: recovery removes it";
  }
  return f.path + ": written after the last index commit (a crash): recovery adopts its " +
         std::to_string(row->frames) + " frames";
}

// Adopts the valid part of a file without a row, or deletes it without one, as recovery does.
Status TakeIn(Env& env, Index& index, const FoundFile& f, std::vector<SegmentRow>& fixes) {
  ASSIGN_OR_RETURN(int64_t stream_id, index.EnsureStream(f.camera, f.stream));
  uint64_t valid_end = 0;
  Result<SegmentRow> row = RowFromFile(env, f.path, stream_id, f.seq, f.dir_id, &valid_end);
  if (row.ok() && row->frames > 0) {
    RETURN_IF_ERROR(env.Truncate(f.path, valid_end));
    fixes.push_back(std::move(*row));
    return Status();
  }
  return env.Remove(f.path);
}

}  // namespace

Status CheckSegment(Env& env, const std::string& path, const SegmentRow& row, bool full) {
  ASSIGN_OR_RETURN(uint64_t size, env.FileSize(path));
  if (size < row.durable_length) {
    return DataLossError(path + ": " + std::to_string(size) + " bytes, but the index says " +
                         std::to_string(row.durable_length) + " are durable");
  }
  if (!row.open && size != row.durable_length) {
    return DataLossError(path + ": " + std::to_string(size) + " bytes, but the closed segment's"
                         " durable length is " + std::to_string(row.durable_length));
  }
  ASSIGN_OR_RETURN(std::vector<FragmentEntry> table,
                   DecodeFragmentTable(row.fragments, row.init_length, row.start_us));
  if (!full) return Status();
  ASSIGN_OR_RETURN(Bytes bytes, env.Read(path, 0, row.durable_length));
  Result<mp4::InitInfo> init = mp4::ParseInitSegment(bytes);
  if (!init.ok()) return std::move(init).status().WithContext(path);
  if (init->length != row.init_length) {
    return DataLossError(path + ": init segment is " + std::to_string(init->length) +
                         " bytes, the index says " + std::to_string(row.init_length));
  }
  const mp4::ScanResult scan =
      mp4::ScanFragments(ByteSpan(bytes).subspan(init->length), init->length);
  if (!scan.stopped.ok()) return Status(scan.stopped).WithContext(path);
  if (scan.fragments.size() != table.size()) {
    return DataLossError(path + ": " + std::to_string(scan.fragments.size()) +
                         " fragments in the file, " + std::to_string(table.size()) +
                         " in the index");
  }
  for (size_t i = 0; i < table.size(); ++i) {
    const mp4::FragmentInfo& f = scan.fragments[i];
    const FragmentEntry& e = table[i];
    if (f.offset != e.offset || f.length != e.length || f.duration_90k != e.duration_90k ||
        f.sample_count != e.samples || f.wall_time_us != e.wall_us) {
      return DataLossError(path + ": fragment " + std::to_string(i) + " at offset " +
                           std::to_string(f.offset) + " differs from the index");
    }
  }
  return Status();
}

Result<CheckReport> CheckStore(Env& env, Index& index, const std::vector<StorageDir>& dirs,
                               const CheckOptions& options) {
  CheckReport report;
  std::map<int64_t, std::string> dir_path;
  for (const StorageDir& d : dirs) dir_path[d.dir_id] = d.path;
  ASSIGN_OR_RETURN(std::vector<StreamRow> streams, index.Streams());
  std::map<int64_t, StreamRow> by_id;
  std::map<std::pair<std::string, std::string>, int64_t> id_of;
  for (const StreamRow& s : streams) {
    by_id[s.id] = s;
    id_of[{s.camera, s.stream}] = s.id;
  }
  std::set<std::string> known_files;
  std::vector<SegmentRow> fixes;
  ASSIGN_OR_RETURN(std::vector<SegmentRow> rows, index.AllSegments());
  for (const SegmentRow& row : rows) {
    auto d = dir_path.find(row.dir_id);
    if (d == dir_path.end()) continue;  // on a directory not given
    ++report.segments;
    const StreamRow& s = by_id.at(row.stream_id);
    const std::string path = d->second + "/" + SegmentRelativePath(s.camera, s.stream, row.seq);
    known_files.insert(path);
    Status st = CheckSegment(env, path, row, options.full);
    if (st.ok()) continue;
    ++report.bad_segments;
    report.problems.push_back(st.message());
    if (options.repair && env.Exists(path)) {
      uint64_t valid_end = 0;
      Result<SegmentRow> rebuilt = RowFromFile(env, path, row.stream_id, row.seq, row.dir_id,
                                               &valid_end);
      if (rebuilt.ok() && rebuilt->frames > 0) {
        RETURN_IF_ERROR(env.Truncate(path, valid_end));
        fixes.push_back(std::move(*rebuilt));
        ++report.repaired;
      }
    }
  }
  ASSIGN_OR_RETURN(auto garbage, index.Garbage());
  for (const auto& [dir_id, rel] : garbage) {
    if (dir_path.contains(dir_id)) known_files.insert(dir_path[dir_id] + "/" + rel);
  }
  ASSIGN_OR_RETURN(std::vector<FoundFile> files, ListSegmentFiles(env, dirs));
  ASSIGN_OR_RETURN(std::set<std::string> recoverable, FilesRecoveryTakesIn(index, streams, files));
  for (const FoundFile& f : files) {
    if (known_files.contains(f.path)) continue;
    if (recoverable.contains(f.path)) {
      ++report.recoverable_files;
      report.recoverable.push_back(RecoveryOf(env, f));
    } else {
      ++report.orphan_files;
      report.problems.push_back(f.path + ": segment file without an index row, which recovery"
                                         " does not take in");
    }
    if (!options.repair) continue;
    RETURN_IF_ERROR(TakeIn(env, index, f, fixes));
    ++report.repaired;
  }
  if (!fixes.empty()) RETURN_IF_ERROR(index.CommitSegments(fixes));
  return report;
}

Result<CheckReport> RebuildIndex(Env& env, Index& index, const std::vector<StorageDir>& dirs) {
  CheckReport report;
  ASSIGN_OR_RETURN(std::vector<SegmentRow> before, index.AllSegments());
  int64_t locks = 0;
  for (const SegmentRow& r : before) locks += r.is_protected ? 1 : 0;
  if (locks > 0) {
    report.problems.push_back(std::to_string(locks) +
                              " evidence locks were dropped with the old index rows");
  }
  RETURN_IF_ERROR(index.ClearRecordings());
  ASSIGN_OR_RETURN(std::vector<FoundFile> files, ListSegmentFiles(env, dirs));
  std::vector<SegmentRow> rows;
  for (const FoundFile& f : files) {
    ASSIGN_OR_RETURN(int64_t stream_id, index.EnsureStream(f.camera, f.stream));
    uint64_t valid_end = 0;
    Result<SegmentRow> row = RowFromFile(env, f.path, stream_id, f.seq, f.dir_id, &valid_end);
    if (!row.ok() || row->frames == 0) {
      ++report.bad_segments;
      report.problems.push_back(f.path + ": no valid fragment, left alone: " +
                                (row.ok() ? std::string("empty") : row.status().message()));
      continue;
    }
    ASSIGN_OR_RETURN(uint64_t size, env.FileSize(f.path));
    if (valid_end < size) {
      RETURN_IF_ERROR(env.Truncate(f.path, valid_end));
      ++report.repaired;
    }
    rows.push_back(std::move(*row));
    ++report.segments;
  }
  RETURN_IF_ERROR(index.CommitSegments(rows));
  return report;
}

}  // namespace sightline::store
