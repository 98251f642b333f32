#pragma once
// Structured logging facade. One line per record: "2026-11-21T09:12:15.123Z W camera=front
// stream=main msg...". Callers write key=value pairs first, free text after. With
// LogFormat::kJson each record is instead one JSON object per line, for journald and log
// shippers: {"time":"2026-11-21T09:12:15.123Z","level":"warning","msg":"camera=front ..."}.
//
//   SL_LOG(kWarning) << "camera=" << name << " reconnecting in " << delay_ms << "ms";
//
// The sink, format and minimum level are process-wide settings made once at startup (main) or
// by a test; they are the only global state in Sightline, and are safe to read from any thread.
// An error is logged once, where it is handled; repeated errors go through LogRateLimiter.

#include <atomic>
#include <chrono>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>

#include "base/mutex.h"


namespace sightline {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
// kText: the line above. kJson: one JSON object per line whose "msg" is the same text, escaped
// (quotes, backslashes, control characters) and with invalid UTF-8 replaced by U+FFFD, so a
// camera's or client's bytes in a message can neither break the line nor the JSON.
enum class LogFormat { kText, kJson };

using LogSink = std::function<void(LogLevel, std::string_view line)>;

// Sets the minimum level that is formatted at all (default kInfo).
void SetMinLogLevel(LogLevel level);
LogLevel MinLogLevel();
// Replaces the sink (default: stderr). Pass nullptr to restore the default. Not to be called
// while other threads log.
void SetLogSink(LogSink sink);
bool ParseLogLevel(std::string_view name, LogLevel* out);
// The format of every later record, for the sink and stderr alike (default kText).
void SetLogFormat(LogFormat format);
// "text" or "json".
bool ParseLogFormat(std::string_view name, LogFormat* out);

namespace internal {
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage();
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  std::ostringstream& stream() { return os_; }

 private:
  LogLevel level_;
  std::ostringstream os_;
};
}  // namespace internal

// Lets through the first `burst` events of each `period`, then counts the rest, so a camera
// that fails every second logs a few lines a minute with "(N suppressed)". Thread-safe.
class LogRateLimiter {
 public:
  LogRateLimiter(std::chrono::steady_clock::duration period, int burst)
      : period_(period), burst_(burst) {}
  // Returns true if the caller should log now; *suppressed gets the number of events dropped
  // since the last one allowed.
  bool Allow(std::chrono::steady_clock::time_point now, int* suppressed);

 private:
  Mutex mu_;
  std::chrono::steady_clock::duration period_;
  int burst_;
  std::chrono::steady_clock::time_point window_start_ SL_GUARDED_BY(mu_) {};
  int in_window_ SL_GUARDED_BY(mu_) = 0;
  int suppressed_ SL_GUARDED_BY(mu_) = 0;
};

}  // namespace sightline

#define SL_LOG(level)                                                    \
  if (::sightline::LogLevel::level < ::sightline::MinLogLevel()) {       \
  } else                                                                 \
    ::sightline::internal::LogMessage(::sightline::LogLevel::level).stream()
