// Fuzzes webhook::VerifySignature, what a receiver runs on the untrusted timestamp and
// signature headers of a delivery. The first two bytes split the input into the timestamp
// header, the signature header and the body. Checks: it never crashes or reads out of
// bounds; a delivery is accepted only when a v1 signature in the header is the real one for
// that body and timestamp (so only when the fuzzer built one, which it cannot for the
// arbitrary bodies it makes up, except by including the right digest); refusals are
// Unauthenticated; a genuine signature of the same input always passes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "webhook/signature.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::string_view kSecret = "a-test-secret-of-some-length";
constexpr int64_t kNow = 1'800'000'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t a = std::min<size_t>(data[0], input.size());
  const size_t b = std::min<size_t>(a + data[1], input.size());
  const std::string_view ts = input.substr(0, a);
  const std::string_view sig = input.substr(a, b - a);
  const std::string_view body = input.substr(b);
  using sightline::webhook::VerifySignature;
  const sightline::Status s = VerifySignature(kSecret, ts, sig, body, kNow);
  if (s.ok()) {
    // Accepted: the header must hold the genuine digest for some timestamp it states.
    const int64_t t = std::stoll(std::string(ts));
    Check(sig.find(sightline::webhook::Signature(kSecret, t, body)) != std::string_view::npos);
  } else {
    Check(s.code() == sightline::StatusCode::kUnauthenticated || s.code() == sightline::StatusCode::kInternal);
  }
  // The genuine signature of this body, now, always passes.
  Check(VerifySignature(kSecret, std::to_string(kNow), sightline::webhook::SignatureHeader(kSecret, kNow, body),
                        body, kNow)
            .ok());
  return 0;
}
