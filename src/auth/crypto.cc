#include "auth/crypto.h"

#include <sodium.h>

#include <cstdlib>

namespace sightline::auth {
namespace {

static_assert(kTestPasswordCost.ops == crypto_pwhash_OPSLIMIT_MIN);
static_assert(kTestPasswordCost.mem_bytes == crypto_pwhash_MEMLIMIT_MIN);

// sodium_init is thread-safe and idempotent; it only fails when the system has no source of
// randomness, where no secret can be made safely.
void InitSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

}  // namespace

Status CheckPassword(std::string_view password) {
  if (CodePoints(password) < kMinPasswordLength) {
    return InvalidArgumentError("a password needs at least " + std::to_string(kMinPasswordLength) +
                                " characters");
  }
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgumentError("a password may have at most " + std::to_string(kMaxPasswordBytes) +
                                " bytes");
  }
  return Status();
}

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhaustedError("hashing a password: out of memory (Argon2id needs " +
                                  std::to_string(cost.mem_bytes >> 20) + " MiB)");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  InitSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(const std::string& hash, PasswordCost cost) {
  InitSodium();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost.ops, cost.mem_bytes) != 0;
}

std::string NewToken() {
  InitSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, kVariant)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, kVariant);
  sodium_memzero(bytes, sizeof bytes);
  return text;
}

std::string TokenDigest(std::string_view token) {
  InitSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace sightline::auth
