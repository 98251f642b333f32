#include "store/fault_injection_env.h"

#include <thread>

namespace sightline::store {

class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}
  Status Append(ByteSpan data) override { return env_->AppendTo(path_, *base_, data); }
  Status Sync() override { return env_->SyncFile(path_, *base_); }
  uint64_t size() const override { return base_->size(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

void FaultInjectionEnv::CrashAt(std::string name, int nth) {
  MutexLock lock(mu_);
  crash_at_ = std::move(name);
  crash_at_hits_left_ = nth;
}
void FaultInjectionEnv::SetAppendDelay(std::chrono::milliseconds d) {
  MutexLock lock(mu_);
  append_delay_ = d;
}
void FaultInjectionEnv::CrashAfterMutations(int64_t n) {
  MutexLock lock(mu_);
  mutations_left_ = n;
}
void FaultInjectionEnv::FailSyncOf(std::string path_substring) {
  MutexLock lock(mu_);
  failing_sync_.insert(std::move(path_substring));
}
void FaultInjectionEnv::SetCapacity(uint64_t bytes) {
  MutexLock lock(mu_);
  capacity_ = bytes;
}
bool FaultInjectionEnv::crashed() const {
  MutexLock lock(mu_);
  return crashed_;
}
uint64_t FaultInjectionEnv::UsedLocked() const {
  uint64_t used = 0;
  for (const auto& [path, f] : files_) used += f.size;
  return used;
}

Status FaultInjectionEnv::Dead() const {
  return Status(StatusCode::kAborted, "simulated crash: the process is dead");
}

Status FaultInjectionEnv::Mutate() {
  if (crashed_) return Dead();
  if (mutations_left_ > 0 && --mutations_left_ == 0) {
    crashed_ = true;
    return Dead();
  }
  return Status();
}

Status FaultInjectionEnv::CrashPoint(std::string_view name) {
  MutexLock lock(mu_);
  if (crashed_) return Dead();
  if (!crash_at_.empty() && name == crash_at_ && --crash_at_hits_left_ == 0) {
    crashed_ = true;
    return Dead();
  }
  return Status();
}

void FaultInjectionEnv::PowerCut() {
  MutexLock lock(mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    if (!it->second.entry_synced) {
      base_->Remove(it->first).IgnoreError();
      it = files_.erase(it);
      continue;
    }
    if (base_->Exists(it->first) && it->second.size > it->second.synced_size) {
      base_->Truncate(it->first, it->second.synced_size).IgnoreError();
    }
    it->second.size = it->second.synced_size;
    ++it;
  }
  crashed_ = false;
  crash_at_.clear();
  mutations_left_ = -1;
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::OpenAppendable(const std::string& path) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  const bool existed = base_->Exists(path);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, base_->OpenAppendable(path));
  auto [it, inserted] = files_.try_emplace(path);
  if (inserted) {
    it->second.size = it->second.synced_size = f->size();
    it->second.entry_synced = existed;
  }
  return std::unique_ptr<WritableFile>(new File(this, path, std::move(f)));
}

Status FaultInjectionEnv::AppendTo(const std::string& path, WritableFile& file, ByteSpan data) {
  std::chrono::milliseconds delay;
  {
    MutexLock lock(mu_);
    delay = append_delay_;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  if (capacity_ != 0) {
    if (UsedLocked() + data.size() > capacity_) {
      return ResourceExhaustedError("write " + path + ": No space left on device (simulated)");
    }
  }
  RETURN_IF_ERROR(file.Append(data));
  files_[path].size = file.size();
  return Status();
}

Status FaultInjectionEnv::SyncFile(const std::string& path, WritableFile& file) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  for (const std::string& s : failing_sync_) {
    if (path.find(s) != std::string::npos) {
      return IoError("fdatasync " + path + ": Input/output error (simulated)");
    }
  }
  RETURN_IF_ERROR(file.Sync());
  files_[path].synced_size = file.size();
  return Status();
}

Result<Bytes> FaultInjectionEnv::Read(const std::string& path, uint64_t offset, uint64_t length) {
  {
    MutexLock lock(mu_);
    if (crashed_) return Dead();
  }
  return base_->Read(path, offset, length);
}

Result<uint64_t> FaultInjectionEnv::FileSize(const std::string& path) {
  {
    MutexLock lock(mu_);
    if (crashed_) return Dead();
  }
  return base_->FileSize(path);
}

bool FaultInjectionEnv::Exists(const std::string& path) { return base_->Exists(path); }

Status FaultInjectionEnv::Truncate(const std::string& path, uint64_t size) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  RETURN_IF_ERROR(base_->Truncate(path, size));
  FileState& f = files_[path];
  f.size = f.synced_size = size;
  return Status();
}

Status FaultInjectionEnv::Remove(const std::string& path) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  RETURN_IF_ERROR(base_->Remove(path));
  files_.erase(path);
  return Status();
}

Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  RETURN_IF_ERROR(base_->Rename(from, to));
  if (auto it = files_.find(from); it != files_.end()) {
    FileState f = it->second;
    f.entry_synced = true;
    files_.erase(it);
    files_[to] = f;
  }
  return Status();
}

Status FaultInjectionEnv::CreateDirs(const std::string& path) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  return base_->CreateDirs(path);
}

Status FaultInjectionEnv::SyncDir(const std::string& path) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Mutate());
  RETURN_IF_ERROR(base_->SyncDir(path));
  for (auto& [p, f] : files_) {
    if (DirName(p) == path) f.entry_synced = true;
  }
  return Status();
}

Result<std::vector<std::string>> FaultInjectionEnv::ListDir(const std::string& path) {
  {
    MutexLock lock(mu_);
    if (crashed_) return Dead();
  }
  return base_->ListDir(path);
}

Result<uint64_t> FaultInjectionEnv::FreeBytes(const std::string& path) {
  MutexLock lock(mu_);
  if (crashed_) return Dead();
  if (capacity_ == 0) return base_->FreeBytes(path);
  const uint64_t used = UsedLocked();
  return used >= capacity_ ? 0 : capacity_ - used;
}

}  // namespace sightline::store
