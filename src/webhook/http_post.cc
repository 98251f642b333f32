#include "webhook/http_post.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace sightline::webhook {
namespace {

// A receiver's reply is not read beyond this (its status is what counts).
constexpr size_t kMaxReplyBytes = 64 * 1024;

void InitLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t DiscardReply(char*, size_t size, size_t n, void* seen_ptr) {
  size_t& seen = *static_cast<size_t*>(seen_ptr);
  seen += size * n;
  return seen > kMaxReplyBytes ? 0 : size * n;  // 0 ends the transfer (the status is known)
}

}  // namespace

HttpPost::HttpPost() {
  InitLibrary();
  curl_ = curl_easy_init();
}

HttpPost::~HttpPost() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

int HttpPost::OnProgress(void* self, long long, long long, long long, long long) {
  return static_cast<HttpPost*>(self)->abort_ ? 1 : 0;
}

Result<int> HttpPost::Post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                           const std::string& body, std::chrono::milliseconds timeout) {
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return InternalError("webhook: cannot create an HTTP client (out of memory)");
  if (abort_) return UnavailableError("stopping");
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  size_t reply_bytes = 0;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_reset(c);  // keeps the connection cache
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(timeout.count(), 5000)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &DiscardReply);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply_bytes);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &HttpPost::OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  // A reply cut short by DiscardReply still has its status.
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status != 0)) {
    return UnavailableError(error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc)));
  }
  return static_cast<int>(status);
}

std::string RedactUrl(const std::string& url) {
  std::string out = url.substr(0, url.find_first_of("?#"));
  const size_t scheme = out.find("://");
  const size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t path = out.find('/', host);
  const size_t at = out.rfind('@', path == std::string::npos ? out.size() : path);
  if (at != std::string::npos && at >= host) out.erase(host, at + 1 - host);
  return out;
}

}  // namespace sightline::webhook
