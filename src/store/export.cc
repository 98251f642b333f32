#include "store/export.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include "store/export_reader.h"
#include "store/meta_file.h"

namespace sightline::store {
namespace {

constexpr size_t kWriteBufferBytes = 8 << 20;

// Appends to a WritableFile in large writes.
class BufferedOutput {
 public:
  explicit BufferedOutput(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {
    buffer_.reserve(kWriteBufferBytes);
  }
  Status Append(ByteSpan data) {
    if (buffer_.size() + data.size() > kWriteBufferBytes) RETURN_IF_ERROR(Flush());
    if (data.size() >= kWriteBufferBytes) return file_->Append(data);
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    return Status();
  }
  Status Flush() {
    if (buffer_.empty()) return Status();
    RETURN_IF_ERROR(file_->Append(buffer_));
    buffer_.clear();
    return Status();
  }
  WritableFile& file() { return *file_; }

 private:
  std::unique_ptr<WritableFile> file_;
  Bytes buffer_;
};

// Writes the prepared part of `reader` to `tmp_path`, synced, so that the final name never
// holds a partial file. The reader's errors name the export already; the file's get `what`.
Status WritePart(Env& env, ExportReader& reader, const ExportPart& part,
                 const std::string& tmp_path, std::string_view what) {
  Status s = env.Remove(tmp_path);  // a leftover would be appended to
  Result<std::unique_ptr<WritableFile>> file =
      s.ok() ? env.OpenAppendable(tmp_path) : Result<std::unique_ptr<WritableFile>>(s);
  if (!file.ok()) return std::move(file).status().WithContext(what);
  BufferedOutput out(std::move(*file));
  for (;;) {
    ASSIGN_OR_RETURN(Bytes bytes, reader.Next());
    if (bytes.empty()) break;
    if (s = out.Append(bytes); !s.ok()) return std::move(s).WithContext(what);
  }
  if (s = out.Flush(); !s.ok()) return std::move(s).WithContext(what);
  if (out.file().size() != part.bytes) {
    return InternalError(tmp_path + ": wrote " + std::to_string(out.file().size()) +
                         " bytes, the header promises " + std::to_string(part.bytes));
  }
  if (s = out.file().Sync(); !s.ok()) return std::move(s).WithContext(what);
  return Status();
}

}  // namespace

Result<ExportResult> Export(Env& env, Index& index, const std::vector<StorageDir>& dirs,
                            const ExportRequest& request) {
  if (request.output_path.empty()) return InvalidArgumentError("export: no output path");
  ASSIGN_OR_RETURN(std::unique_ptr<ExportReader> reader,
                   ExportReader::Open(env, index, dirs, request));
  const std::string what = "export of " + request.camera + "/" + request.stream + " from " +
                           FormatIso8601(request.start_us) + " to " +
                           FormatIso8601(request.end_us);
  std::vector<std::string> paths;
  for (size_t i = 0; i < reader->parts(); ++i) {
    const int part = static_cast<int>(i + 1);
    paths.push_back(reader->parts() == 1 ? request.output_path
                                         : ExportPartPath(request.output_path, part));
  }
  auto remove_temporaries = [&] {
    for (const std::string& p : paths) env.Remove(p + ".tmp").IgnoreError();
  };
  ExportResult result;
  for (size_t i = 0; i < paths.size(); ++i) {
    Result<ExportPart> part = reader->Prepare(i);
    Status written = part.ok() ? WritePart(env, *reader, *part, paths[i] + ".tmp", what)
                               : part.status();
    if (!written.ok()) {
      remove_temporaries();
      return written;
    }
    part->path = paths[i];
    result.parts.push_back(std::move(*part));
  }
  result.bytes_read = reader->bytes_read();
  for (const std::string& p : paths) {
    Status s = env.Rename(p + ".tmp", p);
    if (!s.ok()) {
      remove_temporaries();
      return std::move(s).WithContext(what);
    }
  }
  RETURN_IF_ERROR(env.SyncDir(DirName(request.output_path)));
  return result;
}

std::string ExportPartPath(const std::string& path, int part) {
  const std::string suffix = ".part" + std::to_string(part);
  const size_t slash = path.rfind('/');
  const size_t name = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = path.rfind('.');
  // A dot that starts the name ("/tmp/.clip") begins no extension.
  if (dot == std::string::npos || dot <= name) return path + suffix;
  return path.substr(0, dot) + suffix + path.substr(dot);
}

Result<std::vector<StorageDir>> FindStorageDirs(Env& env, Index& index,
                                                const std::vector<std::string>& paths) {
  ASSIGN_OR_RETURN(std::vector<DirRow> known, index.Dirs());
  std::vector<StorageDir> out;
  for (const std::string& path : paths) {
    Result<Bytes> text = env.Read(path + "/" + kMetaFileName, 0, 4096);
    if (!text.ok()) continue;
    Result<DirMeta> meta = ParseDirMeta(std::string(text->begin(), text->end()));
    if (!meta.ok() || meta->db_uuid != index.db_uuid()) continue;
    for (const DirRow& d : known) {
      if (d.uuid == meta->dir_uuid) out.push_back({d.id, path});
    }
  }
  return out;
}

Result<int64_t> ParseIso8601(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError("time '" + std::string(text) + "': " + why +
                                " (expected e.g. 2026-11-21T10:15:00Z)");
  };
  size_t pos = 0;
  auto is_digit = [&](size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  auto number = [&](size_t n, int* out) {
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!is_digit(pos + i)) return false;
      v = v * 10 + (text[pos + i] - '0');
    }
    pos += n;
    *out = v;
    return true;
  };
  auto skip = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(4, &year) || !skip('-') || !number(2, &month) || !skip('-') || !number(2, &day)) {
    return bad("no date YYYY-MM-DD");
  }
  if (!skip('T') && !skip('t') && !skip(' ')) return bad("no 'T' between the date and the time");
  if (!number(2, &hour) || !skip(':') || !number(2, &minute)) return bad("no time HH:MM[:SS]");
  int64_t fraction_us = 0;
  if (skip(':')) {
    if (!number(2, &second)) return bad("seconds are not two digits");
    if (skip('.') || skip(',')) {
      if (!is_digit(pos)) return bad("no digit after the decimal point");
      for (int64_t scale = 100'000; is_digit(pos); ++pos, scale /= 10) {
        fraction_us += (text[pos] - '0') * scale;
      }
    }
  }
  int64_t offset_s = 0;
  if (skip('+') || skip('-')) {
    const int sign = text[pos - 1] == '-' ? -1 : 1;
    int offset_h = 0, offset_m = 0;
    if (!number(2, &offset_h)) return bad("zone offset is not +HH, +HH:MM or +HHMM");
    if (pos < text.size()) {
      skip(':');
      if (!number(2, &offset_m)) return bad("zone offset is not +HH, +HH:MM or +HHMM");
    }
    if (offset_h > 23 || offset_m > 59) return bad("zone offset out of range");
    offset_s = sign * (offset_h * 3600 + offset_m * 60);
  } else if (!skip('Z')) {
    skip('z');
  }
  if (pos != text.size()) return bad("unexpected '" + std::string(text.substr(pos)) + "'");
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return bad("no such date");
  if (hour > 23 || minute > 59 || second > 59) return bad("no such time of day");
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return seconds * 1'000'000 + fraction_us;
}

std::string FormatIso8601(int64_t unix_us) {
  using namespace std::chrono;
  const sys_time<microseconds> t{microseconds(unix_us)};
  const sys_days day = floor<days>(t);
  const year_month_day date(day);
  const hh_mm_ss<microseconds> time(t - day);
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                        static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                        static_cast<int>(time.minutes().count()),
                        static_cast<int>(time.seconds().count()));
  if (time.subseconds().count() != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - n, ".%03d",
                       static_cast<int>(time.subseconds().count() / 1000));
  }
  return std::string(buf, n) + "Z";
}

}  // namespace sightline::store
