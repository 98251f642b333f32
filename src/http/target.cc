#include "http/target.h"

#include <vector>

#include "base/percent_decode.h"

namespace sightline::http {

namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Splits the raw path on "/" and decodes each segment on its own, so an encoded "/" can be
// told from a real one.
Result<std::string> NormalisePath(std::string_view raw) {
  std::vector<std::string> segments;
  size_t pos = 1;  // raw starts with "/"
  while (pos <= raw.size()) {
    size_t end = raw.find('/', pos);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view encoded = raw.substr(pos, end - pos);
    pos = end + 1;
    ASSIGN_OR_RETURN(std::string segment, PercentDecode(encoded, /*plus_is_space=*/false));
    for (unsigned char c : segment) {
      if (c == '/') return InvalidArgumentError("path has an encoded '/'");
      if (c == '\\') return InvalidArgumentError("path has a backslash");
      if (IsControl(c)) return InvalidArgumentError("path has a control character");
    }
    if (segment == "..") return InvalidArgumentError("path has a '..' segment");
    if (segment.empty() || segment == ".") continue;
    segments.push_back(std::move(segment));
  }
  if (segments.empty()) return std::string("/");
  std::string path;
  for (const std::string& s : segments) {
    path += '/';
    path += s;
  }
  return path;
}

Result<std::multimap<std::string, std::string>> ParseQuery(std::string_view raw) {
  std::multimap<std::string, std::string> query;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t end = raw.find('&', pos);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view pair = raw.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    ASSIGN_OR_RETURN(std::string name, PercentDecode(pair.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1), true));
    }
    if (name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return InvalidArgumentError("query has a NUL");
    }
    query.emplace(std::move(name), std::move(value));
  }
  return query;
}

}  // namespace

Result<Target> ParseTarget(std::string_view target) {
  // Absolute-form (RFC 9112 section 3.2.2) must be accepted by servers; the authority is
  // ignored, as the Host field is.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && target.substr(0, scheme.size()) == scheme) {
      const size_t slash = target.find_first_of("/?", scheme.size());
      if (slash == std::string_view::npos) {
        target = "/";
      } else if (target[slash] == '?') {
        return InvalidArgumentError("absolute-form target without a path");
      } else {
        target = target.substr(slash);
      }
      break;
    }
  }
  if (target.empty() || target[0] != '/') {
    return InvalidArgumentError("request-target is not a path");
  }
  // A fragment is never sent (RFC 9112 section 3.2.1); a stray '#' stays part of the path.
  const size_t q = target.find('?');
  Target out;
  ASSIGN_OR_RETURN(out.path, NormalisePath(target.substr(0, q)));
  if (q != std::string_view::npos) {
    ASSIGN_OR_RETURN(out.query, ParseQuery(target.substr(q + 1)));
  }
  return out;
}

std::map<std::string, std::string> ParseCookies(std::string_view header) {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  std::map<std::string, std::string> cookies;
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view pair = trim(header.substr(pos, end - pos));
    pos = end + 1;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    const std::string_view name = trim(pair.substr(0, eq));
    std::string_view value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (name.empty()) continue;
    cookies.emplace(std::string(name), std::string(value));
  }
  return cookies;
}

}  // namespace sightline::http
