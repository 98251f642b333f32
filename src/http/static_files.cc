#include "http/static_files.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/logging.h"
#include "http/http_date.h"

namespace sightline::http {

namespace {

struct FoundFile {
  std::string path;  // resolved: no symlinks, no dot segments
  struct stat st {};
};

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// `path` resolved, when it is a regular file inside `root_real` (itself resolved).
std::optional<FoundFile> FindInRoot(const std::string& root_real, const std::string& path) {
  std::optional<std::string> real = RealPath(path);
  if (!real) return std::nullopt;
  const bool inside = root_real == "/" || (real->size() > root_real.size() && real->starts_with(root_real) &&
                                            (*real)[root_real.size()] == '/');
  if (!inside) return std::nullopt;
  FoundFile f;
  f.path = std::move(*real);
  if (::stat(f.path.c_str(), &f.st) != 0 || !S_ISREG(f.st.st_mode)) return std::nullopt;
  return f;
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Weak comparison (RFC 9110 section 13.1.2): "W/" prefixes do not matter.
bool NoneMatch(std::string_view header, std::string_view etag) {
  const auto opaque = [](std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view tag = opaque(header.substr(pos, end - pos));
    if (tag == "*" || tag == opaque(etag)) return true;
    pos = end + 1;
  }
  return false;
}

Response ServeFound(const FoundFile& f, const Request& request, bool immutable) {
  const int64_t mtime_ns = static_cast<int64_t>(f.st.st_mtim.tv_sec) * 1'000'000'000 + f.st.st_mtim.tv_nsec;
  const std::string etag = "\"" + Hex(static_cast<uint64_t>(f.st.st_size)) + "-" + Hex(static_cast<uint64_t>(mtime_ns)) + "\"";
  const std::string last_modified = FormatHttpDate(f.st.st_mtim.tv_sec);
  const char* cache = immutable ? "public, max-age=31536000, immutable" : "no-cache";

  // RFC 9110 section 13.2.2: If-None-Match first; If-Modified-Since only without it.
  bool not_modified = false;
  if (const std::optional<std::string_view> inm = request.headers.Find("If-None-Match")) {
    not_modified = NoneMatch(*inm, etag);
  } else if (const std::optional<std::string_view> ims = request.headers.Find("If-Modified-Since")) {
    const std::optional<int64_t> since = ParseHttpDate(*ims);
    not_modified = since && f.st.st_mtim.tv_sec <= *since;
  }
  Response r = not_modified ? Response::Empty(304)
                            : Response::File(FileBody{f.path, 0, static_cast<uint64_t>(f.st.st_size),
                                                      std::string(ContentTypeForPath(f.path))});
  r.headers.Set("ETag", etag);
  r.headers.Set("Last-Modified", last_modified);
  r.headers.Set("Cache-Control", cache);
  return r;
}

}  // namespace

std::string_view ContentTypeForPath(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".wasm", "application/wasm"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".mp4", "video/mp4"},
      {".m4s", "video/iso.segment"},
      {".m3u8", "application/vnd.apple.mpegurl"},
  };
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  const std::string_view ext = path.substr(dot);
  for (const auto& [e, type] : kTypes) {
    if (ext.size() == e.size() && std::equal(ext.begin(), ext.end(), e.begin(), [](char a, char b) {
          return (a >= 'A' && a <= 'Z' ? a + 32 : a) == b;
        })) {
      return type;
    }
  }
  return "application/octet-stream";
}

Response ServeStatic(const std::string& root_dir, const Request& request) {
  const std::string rel = request.HasParam("*") ? request.Param("*")
                                                : (request.path.size() > 1 ? request.path.substr(1) : "");
  // Hidden files (".git", ".env") are not served; ".." never reaches here (the server refuses
  // it) but is refused again by the same rule.
  std::string last_segment;
  for (size_t pos = 0; pos <= rel.size();) {
    size_t end = rel.find('/', pos);
    if (end == std::string::npos) end = rel.size();
    last_segment = rel.substr(pos, end - pos);
    if (last_segment.starts_with(".") || last_segment.find('\\') != std::string::npos ||
        last_segment.find('\0') != std::string::npos) {
      return Response::Error(404, "not found");
    }
    pos = end + 1;
  }
  const std::optional<std::string> root_real = RealPath(root_dir);
  if (!root_real) {
    SL_LOG(kWarning) << "http static root " << root_dir << ": " << std::strerror(errno);
    return Response::Error(500, "web root missing");
  }
  if (!rel.empty()) {
    if (std::optional<FoundFile> f = FindInRoot(*root_real, *root_real + "/" + rel)) {
      return ServeFound(*f, request, rel.starts_with("assets/"));
    }
  }
  // A client-side route of the single-page app ("/cameras/front") gets the app itself.
  if (last_segment.find('.') == std::string::npos) {
    if (std::optional<FoundFile> index = FindInRoot(*root_real, *root_real + "/index.html")) {
      return ServeFound(*index, request, false);
    }
  }
  return Response::Error(404, "not found");
}

}  // namespace sightline::http
