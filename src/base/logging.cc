#include "base/logging.h"

#include <cstdio>
#include <ctime>

namespace sightline {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

// Written only before threads start (see header), read by every logger.
LogSink& Sink() {
  static LogSink sink;
  return sink;
}

Mutex& StderrMutex() {
  static Mutex mu;
  return mu;
}

char LevelChar(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return 'D';
    case LogLevel::kInfo: return 'I';
    case LogLevel::kWarning: return 'W';
    case LogLevel::kError: return 'E';
  }
  return '?';
}

}  // namespace

void SetMinLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }
LogLevel MinLogLevel() { return static_cast<LogLevel>(g_min_level.load(std::memory_order_relaxed)); }
void SetLogSink(LogSink sink) { Sink() = std::move(sink); }

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  if (name == "debug") *out = LogLevel::kDebug;
  else if (name == "info") *out = LogLevel::kInfo;
  else if (name == "warning" || name == "warn") *out = LogLevel::kWarning;
  else if (name == "error") *out = LogLevel::kError;
  else return false;
  return true;
}

namespace internal {
LogMessage::~LogMessage() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char prefix[96];
  std::snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %c ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000), LevelChar(level_));
  std::string line = prefix;
  line += os_.str();
  if (const LogSink& sink = Sink()) {
    sink(level_, line);
    return;
  }
  line += '\n';
  MutexLock lock(StderrMutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
}
}  // namespace internal

bool LogRateLimiter::Allow(std::chrono::steady_clock::time_point now, int* suppressed) {
  MutexLock lock(mu_);
  if (now - window_start_ >= period_) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ < burst_) {
    ++in_window_;
    *suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace sightline
