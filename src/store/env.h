#pragma once
// Env: the seam through which the store touches the file system, so that tests can replace it
// with FaultInjectionEnv (power cuts, failing writes, a full disk, crash points). Only the
// operations the durability protocol needs (docs/design/storage.md). Paths are plain strings.
// Implementations are thread-safe; a WritableFile is used by one thread at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/status.h"

namespace sightline::store {

// A file opened for appending. Errors name the path and the system call.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(ByteSpan data) = 0;
  virtual Status Sync() = 0;  // fdatasync: the data appended so far survives a power cut
  virtual uint64_t size() const = 0;  // bytes in the file, including appended ones
};

class Env {
 public:
  virtual ~Env() = default;

  // Opens `path` for appending, creating it if absent (the directory must exist). Appends go
  // after the current end. A new file's directory entry is durable only after SyncDir.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) = 0;
  // Reads up to `length` bytes at `offset`; fewer at the end of the file.
  virtual Result<Bytes> Read(const std::string& path, uint64_t offset, uint64_t length) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Truncates to `size` and makes the new size durable.
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual Status Remove(const std::string& path) = 0;  // OK if already absent
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status CreateDirs(const std::string& path) = 0;  // mkdir -p
  virtual Status SyncDir(const std::string& path) = 0;     // fsync on the directory
  // Names in a directory, without "." and ".."; NotFound if it does not exist.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual Result<uint64_t> FreeBytes(const std::string& path) = 0;  // for unprivileged users

  // A named point in a durability procedure ("writer.after_sync", ...). The real Env returns
  // OK; FaultInjectionEnv returns an error when told to "crash" there, and from then on fails
  // every operation, as if the process had died at that point.
  virtual Status CrashPoint(std::string_view name) { (void)name; return Status(); }
};

// The process's file system (POSIX). Stateless; one instance serves the whole process.
Env* DefaultEnv();

// Writes `data` to `path` so that after return either the old or the new content survives a
// crash: write a temporary file, sync it, rename it over `path`, sync the directory.
Status WriteFileAtomically(Env& env, const std::string& path, ByteSpan data);

// "a/b/c.mp4" -> "a/b"; "c" -> ".".
std::string DirName(const std::string& path);

}  // namespace sightline::store
