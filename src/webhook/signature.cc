#include "webhook/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <charconv>

#include "base/hex.h"

namespace sightline::webhook {
namespace {

constexpr size_t kHexDigits = 64;  // SHA-256
constexpr size_t kMaxSignatures = 8;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Signature(std::string_view secret, int64_t timestamp_s, std::string_view body) {
  const std::string prefix = std::to_string(timestamp_s) + ".";
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr;
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  // Streamed: the body is not copied to be prefixed.
  const bool ok = ctx != nullptr &&
                  EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params) &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size()) &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) &&
                  EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac));
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(hmac);
  return ok ? HexLower(ByteSpan(mac, mac_len)) : std::string();
}

std::string SignatureHeader(std::string_view secret, int64_t timestamp_s, std::string_view body) {
  return "v1=" + Signature(secret, timestamp_s, body);
}

Status VerifySignature(std::string_view secret, std::string_view timestamp_header,
                       std::string_view signature_header, std::string_view body, int64_t now_s,
                       int64_t tolerance_s) {
  const std::string_view ts_text = Trim(timestamp_header);
  int64_t ts = 0;
  const auto [end, ec] = std::from_chars(ts_text.data(), ts_text.data() + ts_text.size(), ts);
  if (ts_text.empty() || ec != std::errc() || end != ts_text.data() + ts_text.size()) {
    return UnauthenticatedError("webhook: the timestamp header is not a number of seconds");
  }
  // Written so that no subtraction can overflow whatever the header says.
  if (ts < now_s - tolerance_s || ts > now_s + tolerance_s) {
    return UnauthenticatedError("webhook: the timestamp is more than " + std::to_string(tolerance_s) +
                                " s from now (a replay, or a clock that is off)");
  }
  const std::string want = Signature(secret, ts, body);
  if (want.size() != kHexDigits) return InternalError("webhook: cannot compute HMAC-SHA256");
  bool match = false;
  size_t seen = 0;
  std::string_view rest = signature_header;
  while (!rest.empty() && seen < kMaxSignatures) {
    const size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (!item.starts_with("v1=")) continue;  // other schemes: not ours to judge
    ++seen;
    const std::string_view got = item.substr(3);
    // Every candidate is compared in full, in constant time: the position of a match leaks nothing.
    if (got.size() == kHexDigits && CRYPTO_memcmp(got.data(), want.data(), kHexDigits) == 0) match = true;
  }
  if (seen == 0) return UnauthenticatedError("webhook: no v1= signature in the signature header");
  if (!match) return UnauthenticatedError("webhook: the signature does not match the body (wrong secret?)");
  return Status();
}

}  // namespace sightline::webhook
