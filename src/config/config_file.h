#pragma once
// Reading sightline.yaml's text and replacing it safely, for the web UI's "Add cameras" page
// (camera_insert.h makes the new text): a backup of the previous file next to it, then the new
// text written to a temporary file, flushed, renamed over the old one and the directory
// flushed, so that a crash leaves either the old file or the new one, never half of one.
// Blocking file I/O; callers serialise their edits of one file.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::config {

// The whole file.
Result<std::string> ReadConfigText(const std::string& path);

struct ReplacedConfig {
  std::string path;         // the file written (symbolic links followed)
  std::string backup_path;  // PATH.bak-YYYYmmddTHHMMSS (UTC; "-2", "-3"... when taken)
};

// Replaces the file at `path` (which must exist) with `text`, keeping its permission bits, after
// copying it to a backup. `expected` is the text the edit was made from: FailedPrecondition,
// with nothing written, when the file holds something else now (someone edited it meanwhile).
// Errors name the file and the step that failed.
Result<ReplacedConfig> ReplaceConfigFile(const std::string& path, std::string_view expected, std::string_view text,
                                         int64_t now_unix_s);

// "YYYYmmddTHHMMSS" in UTC.
std::string BackupStamp(int64_t unix_s);

}  // namespace sightline::config
