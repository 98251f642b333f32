#pragma once
// HttpPost: one HTTP(S) client connection (libcurl), reused across requests, that POSTs a body
// and reports the status code. TLS certificates are checked against the system's CAs; only
// http and https are followed, redirects are not (a webhook that moved is a config error).
//
// Threads: one thread at a time per object. Abort() may be called from any thread: the
// request in progress ends within about a second (libcurl's progress callback).

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sightline::webhook {

class HttpPost {
 public:
  HttpPost();
  ~HttpPost();
  HttpPost(const HttpPost&) = delete;
  HttpPost& operator=(const HttpPost&) = delete;

  // The response's status code; Unavailable (with libcurl's reason) when no response came:
  // refused, unreachable, a TLS failure, the timeout, or Abort().
  Result<int> Post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body, std::chrono::milliseconds timeout);
  void Abort() { abort_ = true; }

 private:
  static int OnProgress(void* self, long long, long long, long long, long long);
  void* curl_;  // CURL*
  std::atomic<bool> abort_{false};
};

// `url` without user:password@ and without its query string, for logs.
std::string RedactUrl(const std::string& url);

}  // namespace sightline::webhook
