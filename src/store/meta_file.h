#pragma once
// The meta file in every storage directory: which index the directory belongs to and at which
// generation, so that a disk mounted in the wrong place, another installation's disk, or an
// index restored from an old backup is refused instead of silently corrupted
// (docs/design/storage.md, "Opening and recovery"). A few lines of text:
//
//   sightline-storage-dir 1
//   dir_uuid=<uuid>
//   db_uuid=<uuid>
//   generation=<n>
//
// Pure parsing and formatting; the file is written with WriteFileAtomically.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::store {

struct DirMeta {
  std::string dir_uuid;
  std::string db_uuid;
  int64_t generation = 0;
  bool operator==(const DirMeta&) const = default;
};

inline constexpr const char* kMetaFileName = "meta";

std::string FormatDirMeta(const DirMeta& meta);
// Errors name the line and what is wrong.
Result<DirMeta> ParseDirMeta(std::string_view text);

}  // namespace sightline::store
