#include "auth/crypto.h"

#include <chrono>
#include <set>

#include <gtest/gtest.h>

namespace sightline::auth {
namespace {

TEST(PasswordTest, HashVerifiesOnlyItsPassword) {
  Result<std::string> hash = HashPassword("correct horse", kTestPasswordCost);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horsE"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse "));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse"));
  EXPECT_FALSE(VerifyPassword("", ""));
}

TEST(PasswordTest, SaltedHashesDiffer) {
  Result<std::string> a = HashPassword("same password", kTestPasswordCost);
  Result<std::string> b = HashPassword("same password", kTestPasswordCost);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(PasswordTest, RehashWhenTheCostChanges) {
  Result<std::string> hash = HashPassword("password1", kTestPasswordCost);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(NeedsRehash(*hash, kTestPasswordCost));
  EXPECT_TRUE(NeedsRehash(*hash, kDefaultPasswordCost));
  EXPECT_TRUE(NeedsRehash("garbage", kTestPasswordCost));
}

// The one test of the production cost: its parameters, and the time a login costs, which
// the comment on kDefaultPasswordCost states (loosely bounded: the machine is shared).
TEST(PasswordTest, DefaultCost) {
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> hash = HashPassword("a real password", kDefaultPasswordCost);
  const auto hashed = std::chrono::steady_clock::now();
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(VerifyPassword(*hash, "a real password"));
  const auto verified = std::chrono::steady_clock::now();
  EXPECT_NE(hash->find("$m=131072,t=3,p=1$"), std::string::npos) << *hash;
  EXPECT_FALSE(NeedsRehash(*hash, kDefaultPasswordCost));
  const auto verify_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(verified - hashed).count();
  const auto hash_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(hashed - start).count();
  std::printf("Argon2id default cost: hash %lld ms, verify %lld ms\n",
              static_cast<long long>(hash_ms), static_cast<long long>(verify_ms));
  EXPECT_GE(verify_ms, 30) << "far cheaper than intended: is the cost applied?";
  EXPECT_LE(verify_ms, 3000);
}

TEST(PasswordTest, Length) {
  EXPECT_TRUE(CheckPassword("12345678").ok());
  EXPECT_FALSE(CheckPassword("1234567").ok());
  // Characters, not bytes: seven two-byte letters are too short.
  EXPECT_FALSE(CheckPassword("ééééééé").ok());
  EXPECT_TRUE(CheckPassword("éééééééé").ok());
  EXPECT_TRUE(CheckPassword(std::string(kMaxPasswordBytes, 'x')).ok());
  Status too_long = CheckPassword(std::string(kMaxPasswordBytes + 1, 'x'));
  EXPECT_EQ(too_long.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.message().find("xxxx"), std::string::npos) << "never echo a password";
}

TEST(TokenTest, UrlSafeRandomAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = NewToken();
    ASSERT_EQ(t.size(), 43u) << t;  // 32 bytes, base64 without padding
    for (char c : t) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << t;
    }
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(TokenTest, DigestIsSha256Hex) {
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(TokenDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenDigest("").size(), 64u);
}

}  // namespace
}  // namespace sightline::auth
