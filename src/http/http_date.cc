#include "http/http_date.h"

#include <ctime>

namespace sightline::http {

std::string FormatHttpDate(int64_t unix_seconds) {
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  // strftime's %a and %b follow the locale; the process never leaves the "C" locale.
  const size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  const std::string s(text);  // strptime needs a terminated string
  // IMF-fixdate, then the obsolete RFC 850 and asctime forms (RFC 9110 section 5.6.7).
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    struct tm tm {};
    const char* end = strptime(s.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') return static_cast<int64_t>(timegm(&tm));
  }
  return std::nullopt;
}

}  // namespace sightline::http
