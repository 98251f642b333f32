// The signing scheme of docs/ref/webhooks.md: a known-answer vector computed with another
// tool, and what a receiver's check refuses.
#include "webhook/signature.h"

#include <gtest/gtest.h>

namespace sightline::webhook {
namespace {

constexpr std::string_view kSecret = "whsec-test-0123456789";
constexpr int64_t kNow = 1'796'650'000;

// printf '1796650000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec-test-0123456789'
TEST(SignatureTest, MatchesOpenSslsCommandLine) {
  EXPECT_EQ(Signature(kSecret, kNow, R"({"a":1})"),
            "69ba0e5e478c04bbe5287d4aa3c6a643d72a2d65c2086773fc0d2ce6f61da3c9");
  EXPECT_EQ(SignatureHeader(kSecret, kNow, R"({"a":1})"), "v1=" + Signature(kSecret, kNow, R"({"a":1})"));
}

TEST(SignatureTest, TheGenuineSignaturePasses) {
  const std::string body = R"({"type":"motion_event.new"})";
  EXPECT_TRUE(VerifySignature(kSecret, std::to_string(kNow), SignatureHeader(kSecret, kNow, body), body, kNow).ok());
  // Within the tolerance either way.
  EXPECT_TRUE(VerifySignature(kSecret, std::to_string(kNow - 300), SignatureHeader(kSecret, kNow - 300, body), body,
                              kNow)
                  .ok());
  // Several signatures (a secret being rotated): one genuine is enough.
  const std::string two = "v1=" + std::string(64, '0') + ", " + SignatureHeader(kSecret, kNow, body);
  EXPECT_TRUE(VerifySignature(kSecret, std::to_string(kNow), two, body, kNow).ok());
}

TEST(SignatureTest, RefusalsNameTheProblem) {
  const std::string body = R"({"type":"camera.offline"})";
  const std::string ts = std::to_string(kNow);
  const std::string good = SignatureHeader(kSecret, kNow, body);
  struct Case {
    std::string ts, sig, body, secret, want;
  };
  const Case cases[] = {
      {ts, good, body + " ", std::string(kSecret), "does not match"},           // body changed
      {ts, good, body, "another-secret-0123456", "does not match"},             // wrong secret
      {std::to_string(kNow + 1), good, body, std::string(kSecret), "does not match"},  // timestamp changed
      {std::to_string(kNow - 301), SignatureHeader(kSecret, kNow - 301, body), body, std::string(kSecret),
       "more than 300 s"},                                                      // replayed later
      {"", good, body, std::string(kSecret), "not a number"},
      {"12x", good, body, std::string(kSecret), "not a number"},
      {"99999999999999999999999", good, body, std::string(kSecret), "not a number"},
      {"-9223372036854775808", good, body, std::string(kSecret), "more than 300 s"},
      {ts, "", body, std::string(kSecret), "no v1= signature"},
      {ts, "v0=" + good.substr(3), body, std::string(kSecret), "no v1= signature"},
      {ts, good.substr(0, good.size() - 1), body, std::string(kSecret), "does not match"},
      {ts, good + "0", body, std::string(kSecret), "does not match"},
  };
  for (const Case& c : cases) {
    const Status s = VerifySignature(c.secret, c.ts, c.sig, c.body, kNow);
    ASSERT_FALSE(s.ok()) << c.ts << " " << c.sig;
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace sightline::webhook
