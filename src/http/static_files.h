#pragma once
// ServeStatic: answers a GET/HEAD for a file under a root directory (the built web UI).
//
// The path never leaves the root: dot segments are already refused by the server, segments
// starting with "." (hidden files) give 404, and the file's realpath must lie under the root's
// realpath, so a symlink pointing out of the root gives 404 too. A path without an extension
// that names no file gets the root's index.html (a single-page app's client-side routes).
// Responses carry ETag and Last-Modified and answer If-None-Match / If-Modified-Since with
// 304; files under assets/ (Vite's content-hashed names) are cached as immutable, the rest is
// revalidated on each use ("no-cache").
//
// Threads: blocks on the file system; call it from a handler (which runs on the blocking pool).

#include <string>
#include <string_view>

#include "http/request.h"

namespace sightline::http {

// Serves the file named by request.Param("*") when the route is a prefix route, else by
// request.path, relative to `root_dir`.
Response ServeStatic(const std::string& root_dir, const Request& request);

// "text/html; charset=utf-8" for "x.html", "application/octet-stream" when unknown.
std::string_view ContentTypeForPath(std::string_view path);

}  // namespace sightline::http
