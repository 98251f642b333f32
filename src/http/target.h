#pragma once
// Parsers for the parts of a request that handlers and the file system see: the
// request-target (path and query, RFC 9112 section 3.2 and RFC 3986) and the Cookie header
// (RFC 6265 section 5.4). Pure; they refuse what could reach outside the intended path.

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::http {

struct Target {
  std::string path;                                // as Request::path
  std::multimap<std::string, std::string> query;   // as Request::query
};

// Accepts origin-form ("/a/b?x=1") and absolute-form ("http://host/a/b?x=1", whose scheme
// and authority are dropped). Refused (InvalidArgument): other forms, bad or truncated
// percent-escapes, an encoded "/" (%2F) in the path, backslash, NUL or other control
// characters in the path, ".." segments (also when encoded), NUL in the query. "." segments,
// "//" and a trailing "/" are normalised away.
Result<Target> ParseTarget(std::string_view target);

// "a=1; b=\"2\"" -> {a: 1, b: 2}. Malformed pairs are skipped, the first of a name wins.
std::map<std::string, std::string> ParseCookies(std::string_view header);

}  // namespace sightline::http
