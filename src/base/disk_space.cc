#include "base/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>

namespace sightline {

Result<DiskSpace> StatDiskSpace(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return ErrnoError("statvfs " + path, errno);
  return DiskSpace{static_cast<uint64_t>(st.f_blocks) * st.f_frsize,
                   static_cast<uint64_t>(st.f_bavail) * st.f_frsize};
}

}  // namespace sightline
