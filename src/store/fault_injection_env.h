#pragma once
// FaultInjectionEnv: an Env for tests that wraps the real one and can
//  - forget everything not made durable, as a power cut does (PowerCut): file data beyond the
//    last Sync is cut off, and files whose directory entry was never synced vanish;
//  - "crash" at a named CrashPoint or after N mutating operations: from then on every
//    operation fails, as if the process had died there;
//  - fail Sync for chosen files, and act as a disk of a given capacity (ENOSPC when full).
// Renames are treated as durable at once (the store only renames the meta file, and syncs its
// directory right after). Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "base/mutex.h"
#include "store/env.h"

namespace sightline::store {

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base = DefaultEnv()) : base_(base) {}

  // Failure controls.
  void CrashAt(std::string name, int nth = 1);  // crash the nth time CrashPoint(name) is reached
  void CrashAfterMutations(int64_t n);        // crash at the n-th mutating operation from now
  void FailSyncOf(std::string path_substring);  // Sync of matching files fails (EIO)
  void SetCapacity(uint64_t bytes);           // 0: unlimited
  void SetAppendDelay(std::chrono::milliseconds d);  // a slow disk
  bool crashed() const;
  // Drops unsynced data and unsynced new files, then clears the crash so the "machine" can
  // boot again. Call after the store using this env was destroyed.
  void PowerCut();

  // Env.
  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override;
  Result<Bytes> Read(const std::string& path, uint64_t offset, uint64_t length) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  bool Exists(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status Remove(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status CreateDirs(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Result<uint64_t> FreeBytes(const std::string& path) override;
  Status CrashPoint(std::string_view name) override;

 private:
  class File;
  struct FileState {
    uint64_t size = 0;
    uint64_t synced_size = 0;
    bool entry_synced = true;  // false for a file created since its directory's last sync
  };
  // Counts a mutating operation; fails once crashed.
  Status Mutate() SL_REQUIRES(mu_);
  Status Dead() const;
  uint64_t UsedLocked() const SL_REQUIRES(mu_);  // bytes in files through this env
  Status AppendTo(const std::string& path, WritableFile& file, ByteSpan data);
  Status SyncFile(const std::string& path, WritableFile& file);

  Env* const base_;
  mutable Mutex mu_;
  std::map<std::string, FileState> files_ SL_GUARDED_BY(mu_);  // every file opened or created through this env
  std::string crash_at_ SL_GUARDED_BY(mu_);
  int crash_at_hits_left_ SL_GUARDED_BY(mu_) = 0;
  std::chrono::milliseconds append_delay_ SL_GUARDED_BY(mu_) {0};
  int64_t mutations_left_ SL_GUARDED_BY(mu_) = -1;  // -1: no countdown
  bool crashed_ SL_GUARDED_BY(mu_) = false;
  std::set<std::string> failing_sync_ SL_GUARDED_BY(mu_);
  uint64_t capacity_ SL_GUARDED_BY(mu_) = 0;
};

}  // namespace sightline::store
