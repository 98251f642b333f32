#include "onvif/wsse.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <ctime>

#include "onvif/xml.h"
#include "rtsp/base64.h"

namespace sightline::onvif {

std::string PasswordDigest(ByteSpan nonce, std::string_view created, std::string_view password) {
  Bytes input(nonce.begin(), nonce.end());
  AppendBytes(input, AsBytes(created));
  AppendBytes(input, AsBytes(password));
  uint8_t digest[SHA_DIGEST_LENGTH];
  SHA1(input.data(), input.size(), digest);
  return rtsp::Base64Encode(ByteSpan(digest, sizeof digest));
}

Bytes RandomNonce() {
  Bytes nonce(16);
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    // OpenSSL's generator failing is not an input error; a nonce from the clock still makes the
    // digest unique per request, which is all a camera checks.
    auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(t >> (8 * (i % 8)));
  }
  return nonce;
}

UsernameToken MakeUsernameToken(std::string_view user, std::string_view password, ByteSpan nonce,
                                WallTime created) {
  UsernameToken t;
  t.user = std::string(user);
  t.nonce = rtsp::Base64Encode(nonce);
  t.created = FormatDateTime(created);
  t.digest = PasswordDigest(nonce, t.created, password);
  return t;
}

std::string SecurityHeaderXml(const UsernameToken& token) {
  return "<wsse:Security s:mustUnderstand=\"1\" "
         "xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" "
         "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">"
         "<wsse:UsernameToken><wsse:Username>" + XmlEscape(token.user) + "</wsse:Username>"
         "<wsse:Password Type=\"http://docs.oasis-open.org/wss/2004/01/"
         "oasis-200401-wss-username-token-profile-1.0#PasswordDigest\">" + token.digest + "</wsse:Password>"
         "<wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/"
         "oasis-200401-wss-soap-message-security-1.0#Base64Binary\">" + token.nonce + "</wsse:Nonce>"
         "<wsu:Created>" + token.created + "</wsu:Created></wsse:UsernameToken></wsse:Security>";
}

Result<UsernameToken> ParseUsernameToken(pugi::xml_node header) {
  pugi::xml_node tok = Child(Child(header, "Security"), "UsernameToken");
  if (!tok) return NotFoundError("no WS-Security UsernameToken");
  UsernameToken t;
  t.user = ChildText(tok, "Username");
  t.digest = ChildText(tok, "Password");
  t.nonce = ChildText(tok, "Nonce");
  t.created = ChildText(tok, "Created");
  std::string_view type = Attribute(Child(tok, "Password"), "Type");
  if (!type.empty() && !type.ends_with("#PasswordDigest")) {
    return InvalidArgumentError("UsernameToken: password type '" + std::string(type) + "' is not a digest");
  }
  if (t.user.empty() || t.digest.empty() || t.nonce.empty() || t.created.empty()) {
    return InvalidArgumentError("UsernameToken: Username, Password, Nonce and Created are all needed");
  }
  return t;
}

Status VerifyUsernameToken(const UsernameToken& token, std::string_view password, WallTime now,
                           std::chrono::seconds max_skew) {
  ASSIGN_OR_RETURN(Bytes nonce, rtsp::Base64Decode(token.nonce));
  ASSIGN_OR_RETURN(WallTime created, ParseDateTime(token.created));
  auto skew = created > now ? created - now : now - created;
  if (skew > max_skew) {
    return UnauthenticatedError("UsernameToken: created " + token.created + ", " +
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(skew).count()) +
                                " s from the device's clock");
  }
  if (PasswordDigest(nonce, token.created, password) != token.digest) {
    return UnauthenticatedError("UsernameToken: wrong digest for user '" + token.user + "'");
  }
  return Status::Ok();
}

std::string FormatDateTime(WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
bool ReadInt(std::string_view& s, size_t digits, int& out) {
  if (s.size() < digits) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + digits, out);
  if (ec != std::errc() || p != s.data() + digits) return false;
  s.remove_prefix(digits);
  return true;
}
bool Expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}
}  // namespace

Result<WallTime> ParseDateTime(std::string_view text) {
  std::string_view s = text;
  int y, mo, d, h, mi, se;
  if (!(ReadInt(s, 4, y) && Expect(s, '-') && ReadInt(s, 2, mo) && Expect(s, '-') && ReadInt(s, 2, d) &&
        Expect(s, 'T') && ReadInt(s, 2, h) && Expect(s, ':') && ReadInt(s, 2, mi) && Expect(s, ':') &&
        ReadInt(s, 2, se))) {
    return InvalidArgumentError("dateTime '" + std::string(text.substr(0, 40)) + "': not YYYY-MM-DDThh:mm:ss");
  }
  std::chrono::nanoseconds frac{0};
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int64_t scale = 100'000'000;
    size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
      if (scale > 0) frac += std::chrono::nanoseconds((s[n] - '0') * scale);
      scale /= 10;
      ++n;
    }
    if (n == 0) return InvalidArgumentError("dateTime '" + std::string(text.substr(0, 40)) + "': empty fraction");
    s.remove_prefix(n);
  }
  int offset_min = 0;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int oh, om;
    if (!(ReadInt(s, 2, oh) && Expect(s, ':') && ReadInt(s, 2, om)) || oh > 14 || om > 59) {
      return InvalidArgumentError("dateTime '" + std::string(text.substr(0, 40)) + "': bad zone offset");
    }
    offset_min = sign * (oh * 60 + om);
  } else if (!s.empty() && s.front() == 'Z') {
    s.remove_prefix(1);
  }
  if (!s.empty() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
    return InvalidArgumentError("dateTime '" + std::string(text.substr(0, 40)) + "': out of range");
  }
  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return InvalidArgumentError("dateTime '" + std::string(text.substr(0, 40)) + "': no such day");
  auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(se) - minutes(offset_min);
  return WallTime(duration_cast<system_clock::duration>(t.time_since_epoch() + frac));
}

}  // namespace sightline::onvif
