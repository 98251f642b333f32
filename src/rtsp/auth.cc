#include "rtsp/auth.h"

#include <openssl/evp.h>

#include <cstdio>
#include <utility>

#include "base/hex.h"
#include "rtsp/base64.h"
#include "rtsp/text.h"

namespace sightline::rtsp {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// Parses the comma-separated auth-params after the scheme (RFC 7235 section 2.1):
// name = token | quoted-string. Tolerates what cameras send: unquoted values (even with
// spaces, e.g. realm=IP Camera), spaces around '=' and ',', any order, and commas or escaped
// quotes inside quoted strings. Names are lower-cased.
Status ParseAuthParams(std::string_view s, Params* out) {
  size_t i = 0;
  const size_t n = s.size();
  auto skip_blank = [&] {
    while (i < n && IsSpaceOrTab(s[i])) ++i;
  };
  while (true) {
    while (i < n && (IsSpaceOrTab(s[i]) || s[i] == ',')) ++i;
    if (i == n) break;
    const size_t name_start = i;
    while (i < n && s[i] != '=' && s[i] != ',' && !IsSpaceOrTab(s[i])) ++i;
    const std::string name = AsciiLower(s.substr(name_start, i - name_start));
    if (name.empty()) {
      return InvalidArgumentError("auth: empty parameter name at offset " +
                                  std::to_string(name_start));
    }
    skip_blank();
    if (i == n || s[i] != '=') {
      return InvalidArgumentError("auth: expected '=' after '" + name + "'");
    }
    ++i;
    skip_blank();
    std::string value;
    if (i < n && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < n) {
          value.push_back(s[i++]);  // quoted-pair, RFC 7230 section 3.2.6
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return InvalidArgumentError("auth: unterminated quoted value of '" + name + "'");
      skip_blank();
      if (i < n && s[i] != ',') {
        return InvalidArgumentError("auth: unexpected text after the value of '" + name + "'");
      }
    } else {
      const size_t start = i;
      while (i < n && s[i] != ',') ++i;
      value = std::string(TrimWhitespace(s.substr(start, i - start)));
    }
    out->emplace_back(name, std::move(value));
  }
  return Status::Ok();
}

const std::string* FindParam(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string ParamOr(const Params& params, std::string_view name) {
  const std::string* v = FindParam(params, name);
  return v != nullptr ? *v : std::string();
}

// Splits "Scheme params..." into the scheme and the rest.
std::pair<std::string_view, std::string_view> SplitScheme(std::string_view value) {
  value = TrimWhitespace(value);
  size_t i = 0;
  while (i < value.size() && !IsSpaceOrTab(value[i])) ++i;
  return {value.substr(0, i), value.substr(i)};
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool IsMd5Algorithm(std::string_view algorithm) {
  return algorithm.empty() || EqualsIgnoreCase(algorithm, "MD5");
}

// RFC 2617 section 3.2.2.1: with qop, request-digest covers nc, cnonce and qop too.
std::string DigestResponse(const Credentials& cred, std::string_view realm,
                           std::string_view nonce, std::string_view method, std::string_view uri,
                           std::string_view qop, std::string_view nc, std::string_view cnonce) {
  const std::string ha1 = Md5Hex(cred.user + ":" + std::string(realm) + ":" + cred.password);
  const std::string ha2 = Md5Hex(std::string(method) + ":" + std::string(uri));
  std::string kd = ha1 + ":" + std::string(nonce) + ":";
  if (!qop.empty()) {
    kd.append(nc).append(":").append(cnonce).append(":").append(qop).append(":");
  }
  kd.append(ha2);
  return Md5Hex(kd);
}

bool ConstantTimeEqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned>(AsciiToLower(a[i]) ^ AsciiToLower(b[i]));
  }
  return diff == 0;
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr) != 1) {
    // Only fails if MD5 is unavailable (a FIPS-only OpenSSL); a digest that matches nothing
    // makes authentication fail visibly instead of crashing.
    return std::string();
  }
  return HexLower(ByteSpan(md, len));
}

Result<AuthChallenge> ParseAuthChallenge(std::string_view value) {
  const auto [scheme, rest] = SplitScheme(value);
  AuthChallenge c;
  if (EqualsIgnoreCase(scheme, "Basic")) {
    c.scheme = AuthChallenge::Scheme::kBasic;
  } else if (EqualsIgnoreCase(scheme, "Digest")) {
    c.scheme = AuthChallenge::Scheme::kDigest;
  } else {
    return UnimplementedError("auth: unsupported scheme '" + std::string(scheme) + "'");
  }
  Params params;
  RETURN_IF_ERROR(ParseAuthParams(rest, &params));
  c.realm = ParamOr(params, "realm");
  if (c.scheme == AuthChallenge::Scheme::kBasic) return c;
  c.nonce = ParamOr(params, "nonce");
  if (c.nonce.empty()) return InvalidArgumentError("auth: Digest challenge without a nonce");
  c.opaque = ParamOr(params, "opaque");
  c.algorithm = ParamOr(params, "algorithm");
  c.stale = EqualsIgnoreCase(ParamOr(params, "stale"), "true");
  // qop is a list ("auth,auth-int"); we answer with "auth" when it is among them.
  const std::string qop_list = ParamOr(params, "qop");
  std::string_view list = qop_list;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (EqualsIgnoreCase(TrimWhitespace(list.substr(0, comma)), "auth")) c.qop = "auth";
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  return c;
}

Result<AuthChallenge> ChooseChallenge(const std::vector<std::string_view>& values) {
  if (values.empty()) return UnauthenticatedError("auth: no WWW-Authenticate challenge");
  std::optional<AuthChallenge> basic;
  std::string offered;
  for (std::string_view v : values) {
    Result<AuthChallenge> c = ParseAuthChallenge(v);
    if (c.ok() && c->scheme == AuthChallenge::Scheme::kDigest && IsMd5Algorithm(c->algorithm)) {
      return c;
    }
    if (c.ok() && c->scheme == AuthChallenge::Scheme::kBasic && !basic) basic = *c;
    if (!offered.empty()) offered.append(", ");
    offered.append(SplitScheme(v).first);
    if (c.ok() && !c->algorithm.empty()) offered.append(" algorithm=").append(c->algorithm);
    if (!c.ok()) offered.append(" (").append(c.status().message()).append(")");
  }
  if (basic) return *basic;
  return UnimplementedError("auth: no supported challenge among: " + offered);
}

std::string AuthorizationHeader(const AuthChallenge& c, const Credentials& cred,
                                std::string_view method, std::string_view uri, uint32_t nc,
                                std::string_view cnonce) {
  if (c.scheme == AuthChallenge::Scheme::kBasic) {
    return "Basic " + Base64Encode(AsBytes(cred.user + ":" + cred.password));
  }
  char nc_hex[16];
  std::snprintf(nc_hex, sizeof(nc_hex), "%08x", nc);
  const std::string_view qop = c.qop;
  const std::string response =
      DigestResponse(cred, c.realm, c.nonce, method, uri, qop, nc_hex, cnonce);
  std::string out = "Digest username=" + Quote(cred.user) + ", realm=" + Quote(c.realm) +
                    ", nonce=" + Quote(c.nonce) + ", uri=" + Quote(uri) +
                    ", response=" + Quote(response);
  if (!c.algorithm.empty()) out.append(", algorithm=").append(c.algorithm);
  if (!c.opaque.empty()) out.append(", opaque=").append(Quote(c.opaque));
  if (!qop.empty()) {
    out.append(", qop=").append(qop).append(", nc=").append(nc_hex);
    out.append(", cnonce=").append(Quote(cnonce));
  }
  return out;
}

bool VerifyDigestAuthorization(std::string_view header_value, const Credentials& cred,
                               std::string_view realm, std::string_view nonce,
                               std::string_view method) {
  const auto [scheme, rest] = SplitScheme(header_value);
  if (!EqualsIgnoreCase(scheme, "Digest")) return false;
  Params p;
  if (!ParseAuthParams(rest, &p).ok()) return false;
  const std::string* user = FindParam(p, "username");
  const std::string* got_realm = FindParam(p, "realm");
  const std::string* got_nonce = FindParam(p, "nonce");
  const std::string* uri = FindParam(p, "uri");
  const std::string* response = FindParam(p, "response");
  if (user == nullptr || got_realm == nullptr || got_nonce == nullptr || uri == nullptr ||
      response == nullptr) {
    return false;
  }
  if (*user != cred.user || *got_realm != realm || *got_nonce != nonce) return false;
  if (!IsMd5Algorithm(ParamOr(p, "algorithm"))) return false;
  const std::string qop = ParamOr(p, "qop");
  std::string nc;
  std::string cnonce;
  if (!qop.empty()) {
    if (qop != "auth") return false;
    nc = ParamOr(p, "nc");
    cnonce = ParamOr(p, "cnonce");
    if (nc.empty() || cnonce.empty()) return false;
  }
  const std::string expected = DigestResponse(cred, realm, nonce, method, *uri, qop, nc, cnonce);
  return !expected.empty() && ConstantTimeEqualsIgnoreCase(expected, *response);
}

}  // namespace sightline::rtsp
