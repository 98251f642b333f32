#include "rtsp/auth.h"

#include <gtest/gtest.h>

#include "rtsp/base64.h"

namespace sightline::rtsp {
namespace {

TEST(Md5HexTest, KnownVectors) {
  // RFC 1321 appendix A.5.
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(AuthChallengeTest, ParsesDigest) {
  Result<AuthChallenge> c = ParseAuthChallenge(
      "Digest realm=\"IP Camera(12345)\", nonce=\"abc123\", opaque=\"xyz\", "
      "algorithm=MD5, qop=\"auth,auth-int\", stale=TRUE");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, AuthChallenge::Scheme::kDigest);
  EXPECT_EQ(c->realm, "IP Camera(12345)");
  EXPECT_EQ(c->nonce, "abc123");
  EXPECT_EQ(c->opaque, "xyz");
  EXPECT_EQ(c->algorithm, "MD5");
  EXPECT_EQ(c->qop, "auth");
  EXPECT_TRUE(c->stale);
}

TEST(AuthChallengeTest, ToleratesUnquotedValuesSpacesOrderAndCommasInQuotes) {
  Result<AuthChallenge> c = ParseAuthChallenge(
      "  digest   nonce = 0001 ,realm=\"a, \\\"quoted\\\" realm\",,stale=false ,  qop=auth-int");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, AuthChallenge::Scheme::kDigest);
  EXPECT_EQ(c->nonce, "0001");
  EXPECT_EQ(c->realm, "a, \"quoted\" realm");
  EXPECT_FALSE(c->stale);
  EXPECT_EQ(c->qop, "");  // auth-int only: not something we answer with
  c = ParseAuthChallenge("Digest realm=IP Camera, nonce=n1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->realm, "IP Camera");
  EXPECT_EQ(c->nonce, "n1");
}

TEST(AuthChallengeTest, ParsesBasic) {
  Result<AuthChallenge> c = ParseAuthChallenge("Basic realm=\"cam\"");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scheme, AuthChallenge::Scheme::kBasic);
  EXPECT_EQ(c->realm, "cam");
  c = ParseAuthChallenge("BASIC");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scheme, AuthChallenge::Scheme::kBasic);
}

TEST(AuthChallengeTest, RejectsMalformed) {
  Result<AuthChallenge> c = ParseAuthChallenge("NTLM");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(c.status().message().find("NTLM"), std::string::npos);
  EXPECT_NE(ParseAuthChallenge("Digest realm=\"x\"").status().message().find("nonce"),
            std::string::npos);
  EXPECT_NE(ParseAuthChallenge("Digest realm=\"x, nonce=y").status().message().find(
                "unterminated"),
            std::string::npos);
  EXPECT_NE(ParseAuthChallenge("Digest realm nonce=y").status().message().find("'realm'"),
            std::string::npos);
  EXPECT_FALSE(ParseAuthChallenge("Digest realm=\"x\"junk, nonce=y").ok());
  EXPECT_FALSE(ParseAuthChallenge("Digest =x, nonce=y").ok());
}

TEST(ChooseChallengeTest, PrefersDigestMd5) {
  Result<AuthChallenge> c = ChooseChallenge(
      {"Basic realm=\"r\"", "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256",
       "Digest realm=\"r\", nonce=\"m\""});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, AuthChallenge::Scheme::kDigest);
  EXPECT_EQ(c->nonce, "m");
}

TEST(ChooseChallengeTest, FallsBackToBasicAndNamesWhatWasOffered) {
  Result<AuthChallenge> c = ChooseChallenge({"NTLM", "Basic realm=\"r\""});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scheme, AuthChallenge::Scheme::kBasic);
  c = ChooseChallenge({"NTLM", "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("NTLM"), std::string::npos) << c.status();
  EXPECT_NE(c.status().message().find("SHA-256"), std::string::npos) << c.status();
  EXPECT_FALSE(ChooseChallenge({}).ok());
}

// RFC 2617 section 3.5.
AuthChallenge Rfc2617Challenge() {
  AuthChallenge c;
  c.scheme = AuthChallenge::Scheme::kDigest;
  c.realm = "testrealm@host.com";
  c.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  c.opaque = "5ccc069c403ebaf9f0171e9517f40e41";
  c.qop = "auth";
  return c;
}
const Credentials kMufasa{"Mufasa", "Circle Of Life"};

TEST(AuthorizationHeaderTest, DigestWithQopMatchesRfc2617Example) {
  const std::string h =
      AuthorizationHeader(Rfc2617Challenge(), kMufasa, "GET", "/dir/index.html", 1, "0a4f113b");
  EXPECT_NE(h.find("response=\"6629fae49393a05397450978507c4ef1\""), std::string::npos) << h;
  EXPECT_EQ(h.rfind("Digest ", 0), 0u);
  EXPECT_NE(h.find("username=\"Mufasa\""), std::string::npos);
  EXPECT_NE(h.find("realm=\"testrealm@host.com\""), std::string::npos);
  EXPECT_NE(h.find("uri=\"/dir/index.html\""), std::string::npos);
  EXPECT_NE(h.find("qop=auth"), std::string::npos);
  EXPECT_NE(h.find("nc=00000001"), std::string::npos);
  EXPECT_NE(h.find("cnonce=\"0a4f113b\""), std::string::npos);
  EXPECT_NE(h.find("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), std::string::npos);
}

TEST(AuthorizationHeaderTest, DigestWithoutQop) {
  AuthChallenge c = Rfc2617Challenge();
  c.qop.clear();
  c.opaque.clear();
  const std::string h = AuthorizationHeader(c, kMufasa, "DESCRIBE", "rtsp://cam/live");
  // RFC 2069 form: MD5(HA1:nonce:HA2).
  const std::string ha1 = Md5Hex("Mufasa:testrealm@host.com:Circle Of Life");
  const std::string ha2 = Md5Hex("DESCRIBE:rtsp://cam/live");
  const std::string expected = Md5Hex(ha1 + ":" + c.nonce + ":" + ha2);
  EXPECT_NE(h.find("response=\"" + expected + "\""), std::string::npos) << h;
  EXPECT_EQ(h.find("qop"), std::string::npos);
  EXPECT_EQ(h.find("nc="), std::string::npos);
  EXPECT_EQ(h.find("opaque"), std::string::npos);
}

TEST(AuthorizationHeaderTest, EscapesQuotesInValues) {
  AuthChallenge c = Rfc2617Challenge();
  c.qop.clear();
  const std::string h = AuthorizationHeader(c, {"a\"b\\c", "p"}, "OPTIONS", "*");
  EXPECT_NE(h.find("username=\"a\\\"b\\\\c\""), std::string::npos) << h;
}

TEST(AuthorizationHeaderTest, Basic) {
  AuthChallenge c;
  c.scheme = AuthChallenge::Scheme::kBasic;
  const std::string h = AuthorizationHeader(c, {"Aladdin", "open sesame"}, "DESCRIBE", "x");
  EXPECT_EQ(h, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617 section 2
}

TEST(VerifyDigestTest, AcceptsRfc2617ExampleAndOwnHeaders) {
  const std::string rfc =
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
      "nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
      "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
  const AuthChallenge c = Rfc2617Challenge();
  EXPECT_TRUE(VerifyDigestAuthorization(rfc, kMufasa, c.realm, c.nonce, "GET"));

  AuthChallenge no_qop = c;
  no_qop.qop.clear();
  for (const AuthChallenge& ch : {c, no_qop}) {
    const std::string h = AuthorizationHeader(ch, kMufasa, "PLAY", "rtsp://cam/live/", 7, "ff");
    EXPECT_TRUE(VerifyDigestAuthorization(h, kMufasa, ch.realm, ch.nonce, "PLAY")) << h;
  }
}

TEST(VerifyDigestTest, RejectsWrongAnswers) {
  const AuthChallenge c = Rfc2617Challenge();
  const std::string h = AuthorizationHeader(c, kMufasa, "GET", "/x");
  EXPECT_FALSE(VerifyDigestAuthorization(h, {"Mufasa", "wrong"}, c.realm, c.nonce, "GET"));
  EXPECT_FALSE(VerifyDigestAuthorization(h, {"Simba", "Circle Of Life"}, c.realm, c.nonce, "GET"));
  EXPECT_FALSE(VerifyDigestAuthorization(h, kMufasa, "other realm", c.nonce, "GET"));
  EXPECT_FALSE(VerifyDigestAuthorization(h, kMufasa, c.realm, "stale-nonce", "GET"));
  EXPECT_FALSE(VerifyDigestAuthorization(h, kMufasa, c.realm, c.nonce, "POST"));
  const std::string basic = "Basic " + Base64Encode(AsBytes("Mufasa:Circle Of Life"));
  EXPECT_FALSE(VerifyDigestAuthorization(basic, kMufasa, c.realm, c.nonce, "GET"));
  EXPECT_FALSE(VerifyDigestAuthorization("Digest username=\"Mufasa\"", kMufasa, c.realm, c.nonce,
                                         "GET"));
  EXPECT_FALSE(VerifyDigestAuthorization("Digest \"", kMufasa, c.realm, c.nonce, "GET"));
}

}  // namespace
}  // namespace sightline::rtsp
