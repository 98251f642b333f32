#include "config/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace sightline::config {
namespace {

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error (a write may only fail at close on some file systems).
  Status Close(const std::string& what) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoError(what, errno);
    return Status::Ok();
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view text, const std::string& path) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("writing " + path, errno);
    text.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Writes `text` to a new file at `path` (failing if it exists) with `mode`, flushed to disk.
Status WriteNewFile(const std::string& path, std::string_view text, mode_t mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777));
  if (fd.get() < 0) return ErrnoError("creating " + path, errno);
  // open() applies the umask; the copy must be as private as the original (it holds passwords).
  if (::fchmod(fd.get(), mode & 07777) != 0) return ErrnoError("setting the mode of " + path, errno);
  RETURN_IF_ERROR(WriteAll(fd.get(), text, path));
  if (::fsync(fd.get()) != 0) return ErrnoError("flushing " + path, errno);
  return fd.Close("closing " + path);
}

Status SyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("opening directory " + dir, errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("flushing directory " + dir, errno);
  return Status::Ok();
}

// A backup file name next to `path` that does not exist yet; written with O_EXCL, so a race
// with another writer fails rather than overwrites.
Result<std::string> WriteBackup(const std::string& path, std::string_view text, mode_t mode, int64_t now_unix_s) {
  const std::string base = path + ".bak-" + BackupStamp(now_unix_s);
  for (int n = 1; n <= 100; ++n) {
    const std::string candidate = n == 1 ? base : base + "-" + std::to_string(n);
    Status s = WriteNewFile(candidate, text, mode);
    if (s.ok()) return candidate;
    std::error_code ec;
    if (!std::filesystem::exists(candidate, ec)) return s;
  }
  return FailedPreconditionError("too many backups of " + path + " this second; try again");
}

// The new text in a temporary file next to `path`, then renamed over it.
Status WriteReplacement(const std::string& path, std::string_view text, mode_t mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  const int raw = ::mkstemp(tmp.data());
  if (raw < 0) return ErrnoError("creating a temporary file next to " + path, errno);
  Fd fd(raw);
  Status s = [&]() -> Status {
    if (::fchmod(fd.get(), mode & 07777) != 0) return ErrnoError("setting the mode of " + tmp, errno);
    RETURN_IF_ERROR(WriteAll(fd.get(), text, tmp));
    if (::fsync(fd.get()) != 0) return ErrnoError("flushing " + tmp, errno);
    RETURN_IF_ERROR(fd.Close("closing " + tmp));
    if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError("renaming " + tmp + " to " + path, errno);
    return Status::Ok();
  }();
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

}  // namespace

std::string BackupStamp(int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  return buf;
}

Result<std::string> ReadConfigText(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return NotFoundError("config file " + path + " does not exist");
    return ErrnoError("opening config file " + path, errno);
  }
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading config file " + path, errno);
    if (n == 0) return text;
    text.append(buffer, static_cast<size_t>(n));
  }
}

Result<ReplacedConfig> ReplaceConfigFile(const std::string& path, std::string_view expected, std::string_view text,
                                         int64_t now_unix_s) {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(path, ec);
  if (ec) return IoError("finding config file " + path + ": " + ec.message());
  ReplacedConfig out;
  out.path = real.string();
  struct stat st {};
  if (::stat(out.path.c_str(), &st) != 0) return ErrnoError("reading the mode of " + out.path, errno);
  ASSIGN_OR_RETURN(std::string current, ReadConfigText(out.path));
  if (current != expected) {
    return FailedPreconditionError(out.path + " changed while the cameras were being added; nothing was written, "
                                              "try again");
  }
  ASSIGN_OR_RETURN(out.backup_path, WriteBackup(out.path, current, st.st_mode, now_unix_s));
  RETURN_IF_ERROR(WriteReplacement(out.path, text, st.st_mode));
  RETURN_IF_ERROR(SyncDirectory(real.parent_path().string()));
  return out;
}

}  // namespace sightline::config
