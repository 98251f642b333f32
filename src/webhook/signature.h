#pragma once
// How a webhook delivery is signed (docs/ref/webhooks.md "Signatures"), for the sender and for
// receivers written in C++ (the tests are one). The signed text is "<timestamp>.<body>": the
// timestamp (Unix seconds, header X-Sightline-Timestamp) binds the signature to a moment, so a
// captured delivery cannot be replayed later than the receiver's tolerance. The signature
// header carries one or more "v1=<hex>" (HMAC-SHA256, lower-case hex), comma-separated, so
// that a receiver can accept an old and a new secret while they are rotated.
//
// Pure functions; VerifySignature parses untrusted headers and is fuzzed
// (fuzz/webhook_signature_fuzzer.cc).

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sightline::webhook {

inline constexpr std::string_view kTimestampHeader = "X-Sightline-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Sightline-Signature";
inline constexpr std::string_view kEventHeader = "X-Sightline-Event";
inline constexpr std::string_view kDeliveryHeader = "X-Sightline-Delivery";

// HMAC-SHA256 of "<timestamp_s>.<body>" keyed with `secret`, as 64 lower-case hex digits.
std::string Signature(std::string_view secret, int64_t timestamp_s, std::string_view body);

// The value of the signature header: "v1=" + Signature(...).
std::string SignatureHeader(std::string_view secret, int64_t timestamp_s, std::string_view body);

// Checks a delivery as a receiver should: the timestamp header is a decimal number of seconds
// within `tolerance_s` of `now_s`, and one of the header's v1 signatures is that of `body` at
// that timestamp (compared in constant time). Unauthenticated, naming what is wrong, otherwise.
Status VerifySignature(std::string_view secret, std::string_view timestamp_header,
                       std::string_view signature_header, std::string_view body, int64_t now_s,
                       int64_t tolerance_s = 300);

}  // namespace sightline::webhook
