#include "store/meta_file.h"

#include <charconv>

namespace sightline::store {
namespace {
constexpr std::string_view kMagic = "sightline-storage-dir 1";
}

std::string FormatDirMeta(const DirMeta& meta) {
  return std::string(kMagic) + "\ndir_uuid=" + meta.dir_uuid + "\ndb_uuid=" + meta.db_uuid +
         "\ngeneration=" + std::to_string(meta.generation) + "\n";
}

Result<DirMeta> ParseDirMeta(std::string_view text) {
  DirMeta meta;
  bool have_gen = false;
  int line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    const std::string where = "meta line " + std::to_string(line_no) + ": ";
    if (line_no == 1) {
      if (line != kMagic) return DataLossError(where + "not a Sightline storage directory meta file");
      continue;
    }
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return DataLossError(where + "expected key=value");
    std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "dir_uuid") {
      meta.dir_uuid = value;
    } else if (key == "db_uuid") {
      meta.db_uuid = value;
    } else if (key == "generation") {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), meta.generation);
      if (ec != std::errc() || p != value.data() + value.size() || meta.generation < 0) {
        return DataLossError(where + "bad generation '" + std::string(value) + "'");
      }
      have_gen = true;
    } else {
      return DataLossError(where + "unknown key '" + std::string(key) + "'");
    }
  }
  if (line_no == 0) return DataLossError("meta: empty file");
  if (meta.dir_uuid.empty() || meta.db_uuid.empty() || !have_gen) {
    return DataLossError("meta: missing dir_uuid, db_uuid or generation");
  }
  return meta;
}

}  // namespace sightline::store
