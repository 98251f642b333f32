#pragma once
// The size of the file system holding a path and what of it an unprivileged process may still
// use (statvfs(3): f_blocks and f_bavail), for status pages and metrics. Thread-safe.

#include <cstdint>
#include <string>

#include "base/result.h"

namespace sightline {

struct DiskSpace {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;  // available to unprivileged users
};

// The error names the path (not mounted, not readable).
Result<DiskSpace> StatDiskSpace(const std::string& path);

}  // namespace sightline
