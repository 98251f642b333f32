#pragma once
// The cryptography auth needs, from libsodium: Argon2id password hashes (RFC 9106) in the
// self-describing "$argon2id$v=19$m=...,t=...,p=...$salt$hash" form, and the random secrets of
// sessions and API tokens, which are stored only as SHA-256 digests so that a copy of the
// database does not let anyone in. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sightline::auth {

// Argon2id's cost: passes over memory (opslimit) and memory (memlimit).
struct PasswordCost {
  uint64_t ops = 0;
  size_t mem_bytes = 0;
};

// Measured on the 2-core development machine (libsodium 1.0.18, under a load of 2):
// INTERACTIVE (2 passes, 64 MiB) hashes or verifies in 55-70 ms, MODERATE (3, 256 MiB) in
// 440-510 ms; 3 passes over 128 MiB take 180-225 ms, the middle of the 100-300 ms a login
// may cost. Each login in flight holds the 128 MiB, so AccountStore bounds how many run at
// once.
inline constexpr PasswordCost kDefaultPasswordCost{3, size_t{128} << 20};
// libsodium's minimum (crypto_pwhash_OPSLIMIT_MIN, MEMLIMIT_MIN): for unit tests only.
inline constexpr PasswordCost kTestPasswordCost{1, 8192};

inline constexpr size_t kMinPasswordLength = 8;     // characters (UTF-8 code points)
inline constexpr size_t kMaxPasswordBytes = 1024;  // bounds the work one request can ask for

// Minimum and maximum length; says nothing about the password itself in its message.
Status CheckPassword(std::string_view password);

Result<std::string> HashPassword(std::string_view password, PasswordCost cost);
// False for a wrong password and for a malformed hash.
bool VerifyPassword(const std::string& hash, std::string_view password);
// True when `hash` was made with another cost (or another algorithm) than `cost`.
bool NeedsRehash(const std::string& hash, PasswordCost cost);

// A new secret: 32 random bytes as URL-safe base64 without padding (43 characters).
std::string NewToken();
// The SHA-256 of `token`, lowercase hex: what the database stores.
std::string TokenDigest(std::string_view token);

}  // namespace sightline::auth
