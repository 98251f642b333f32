#include "base/logging.h"

#include <cstdio>
#include <ctime>

namespace sightline {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};

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

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "unknown";
}

// The length of the valid UTF-8 sequence at the start of `s` (1 to 4), or 0 when it is not
// one; *skip is then the length of its maximal invalid prefix (at least 1), which becomes one
// U+FFFD as Unicode 15, section 3.9 ("U+FFFD Substitution of Maximal Subparts") recommends.
// Overlong forms, surrogates and code points above U+10FFFF are invalid (Table 3-7).
size_t Utf8Sequence(std::string_view s, size_t* skip) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  *skip = 1;
  size_t length = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte; later ones are 80..BF
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  for (size_t i = 1; i < length; ++i) {
    if (i >= s.size() || byte(i) < (i == 1 ? lo : 0x80) || byte(i) > (i == 1 ? hi : 0xBF)) return 0;
    *skip = i + 1;
  }
  return length;
}

// `text` as the contents of a JSON string (RFC 8259, section 7): quotes, backslashes and
// control characters escaped, DEL too (it is invisible in a terminal), invalid UTF-8 replaced.
void AppendJsonString(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t skip = 1;
      const size_t n = Utf8Sequence(text.substr(i), &skip);
      if (n > 0) out->append(text.substr(i, n));
      else out->append("\\uFFFD");
      i += n > 0 ? n : skip;
      continue;
    }
    ++i;
    switch (c) {
      case '"': out->append("\\\""); continue;
      case '\\': out->append("\\\\"); continue;
      case '\n': out->append("\\n"); continue;
      case '\r': out->append("\\r"); continue;
      case '\t': out->append("\\t"); continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04X", c);
      out->append(escaped);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

}  // namespace

void SetMinLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }
LogLevel MinLogLevel() { return static_cast<LogLevel>(g_min_level.load(std::memory_order_relaxed)); }
void SetLogSink(LogSink sink) { Sink() = std::move(sink); }
void SetLogFormat(LogFormat format) { g_format.store(static_cast<int>(format)); }

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  if (name == "debug") *out = LogLevel::kDebug;
  else if (name == "info") *out = LogLevel::kInfo;
  else if (name == "warning" || name == "warn") *out = LogLevel::kWarning;
  else if (name == "error") *out = LogLevel::kError;
  else return false;
  return true;
}

bool ParseLogFormat(std::string_view name, LogFormat* out) {
  if (name == "text") *out = LogFormat::kText;
  else if (name == "json") *out = LogFormat::kJson;
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
  char time[64];
  std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  std::string line;
  if (static_cast<LogFormat>(g_format.load(std::memory_order_relaxed)) == LogFormat::kJson) {
    line = std::string("{\"time\":\"") + time + "\",\"level\":\"" + LevelName(level_) + "\",\"msg\":\"";
    AppendJsonString(os_.str(), &line);
    line += "\"}";
  } else {
    line = std::string(time) + ' ' + LevelChar(level_) + ' ' + os_.str();
  }
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
