#include "onvif/wsse.h"

#include <gtest/gtest.h>

#include "onvif/xml.h"
#include "rtsp/base64.h"

namespace sightline::onvif {
namespace {

using namespace std::chrono_literals;

// The example of the ONVIF Application Programmer's Guide (section 6.1.1.3), checked with
// `openssl dgst -sha1 -binary | base64` over nonce + created + password.
TEST(WsseTest, PasswordDigestKnownAnswer) {
  auto nonce = rtsp::Base64Decode("LKqI6G/AikKCQrN0zqZFlg==");
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(PasswordDigest(*nonce, "2010-09-16T07:50:45Z", "userpassword"), "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
}

TEST(WsseTest, DateTimeRoundTripsAndAcceptsFractionsAndOffsets) {
  auto t = ParseDateTime("2010-09-16T07:50:45Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(FormatDateTime(*t), "2010-09-16T07:50:45Z");
  auto frac = ParseDateTime("2010-09-16T07:50:45.250Z");
  ASSERT_TRUE(frac.ok());
  EXPECT_EQ(*frac - *t, 250ms);
  auto zoned = ParseDateTime("2010-09-16T09:50:45+02:00");
  ASSERT_TRUE(zoned.ok());
  EXPECT_EQ(*zoned, *t);
  auto bare = ParseDateTime("2010-09-16T07:50:45");  // no zone: read as UTC
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(*bare, *t);
}

TEST(WsseTest, BadDateTimesNameWhatIsWrong) {
  for (const char* bad : {"", "2010-09-16", "2010-13-01T00:00:00Z", "2010-02-30T00:00:00Z",
                          "2010-09-16T07:50:45Zjunk", "2010-09-16T07:50:45.Z", "2010-09-16T25:00:00Z",
                          "2010-09-16T07:50:45+99:00"}) {
    auto t = ParseDateTime(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find("dateTime"), std::string::npos) << t.status();
    }
  }
}

Result<UsernameToken> TokenFromHeaderXml(const std::string& security) {
  std::string env = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Header>" + security +
                    "</s:Header><s:Body/></s:Envelope>";
  ASSIGN_OR_RETURN(XmlDoc doc, ParseXml(env));
  return ParseUsernameToken(Child(doc->document_element(), "Header"));
}

TEST(WsseTest, AHeaderWeWriteIsParsedAndVerifiedOnTheCamerasClock) {
  // A camera three hours ahead, on a whole second (Created carries whole seconds).
  auto camera_now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 3h;
  Bytes nonce = RandomNonce();
  UsernameToken sent = MakeUsernameToken("admin", "s3cret&<", nonce, camera_now);
  auto got = TokenFromHeaderXml(SecurityHeaderXml(sent));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->user, "admin");
  EXPECT_EQ(got->created, sent.created);
  EXPECT_TRUE(VerifyUsernameToken(*got, "s3cret&<", camera_now + 2s, 300s).ok());
  Status wrong = VerifyUsernameToken(*got, "s3cret", camera_now, 300s);
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(wrong.message().find("wrong digest"), std::string::npos);
  // On our own clock the token is three hours off: refused, naming the skew.
  Status skewed = VerifyUsernameToken(*got, "s3cret&<", camera_now - 3h, 300s);
  EXPECT_EQ(skewed.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(skewed.message().find("10800 s"), std::string::npos) << skewed;
}

TEST(WsseTest, PlainTextPasswordsAndIncompleteTokensAreRefused) {
  auto plain = TokenFromHeaderXml(
      "<Security><UsernameToken><Username>a</Username><Password Type=\"x#PasswordText\">p</Password>"
      "<Nonce>AAAA</Nonce><Created>2010-09-16T07:50:45Z</Created></UsernameToken></Security>");
  EXPECT_EQ(plain.status().code(), StatusCode::kInvalidArgument);
  auto incomplete = TokenFromHeaderXml("<Security><UsernameToken><Username>a</Username></UsernameToken></Security>");
  EXPECT_EQ(incomplete.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TokenFromHeaderXml("").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sightline::onvif
