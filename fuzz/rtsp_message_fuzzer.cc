// Fuzzes the RTSP message parser and the header-value parsers (Session, Transport,
// WWW-Authenticate, Authorization). Checks: consumed bytes within the input; a parsed message
// serializes to text that parses to the same message, and serializing is then a fixed point;
// Transport headers round-trip through FormatTransportHeader.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rtsp/auth.h"
#include "rtsp/message.h"

namespace {

using sightline::rtsp::RtspMessage;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckMessage(std::string_view text) {
  RtspMessage m;
  sightline::Result<size_t> used = sightline::rtsp::ParseRtspMessage(text, &m);
  if (!used.ok() || *used == 0) return;
  Check(*used <= text.size());
  m.CSeq();
  m.Headers("WWW-Authenticate");
  const std::string once = m.Serialize();
  RtspMessage again;
  sightline::Result<size_t> used2 = sightline::rtsp::ParseRtspMessage(once, &again);
  Check(used2.ok() && *used2 == once.size());
  Check(again.is_response == m.is_response && again.body == m.body);
  if (m.is_response) {
    Check(again.status_code == m.status_code && again.reason == m.reason);
  } else {
    Check(again.method == m.method && again.uri == m.uri);
  }
  Check(again.Serialize() == once);
}

void CheckTransport(std::string_view value) {
  auto t = sightline::rtsp::ParseTransportHeader(value);
  if (!t.ok()) return;
  if (!t->source.empty() && (t->source.front() == '"' || t->source.back() == '"')) return;
  auto back = sightline::rtsp::ParseTransportHeader(sightline::rtsp::FormatTransportHeader(*t));
  Check(back.ok());
  Check(back->tcp == t->tcp && back->unicast == t->unicast);
  Check(back->interleaved == t->interleaved && back->client_port == t->client_port &&
        back->server_port == t->server_port && back->ssrc == t->ssrc &&
        back->source == t->source);
}

void CheckAuth(std::string_view value) {
  auto c = sightline::rtsp::ParseAuthChallenge(value);
  if (c.ok() && c->scheme == sightline::rtsp::AuthChallenge::Scheme::kDigest) {
    Check(!c->nonce.empty());
  }
  if (c.ok() && c->scheme == sightline::rtsp::AuthChallenge::Scheme::kDigest &&
      (c->algorithm.empty() || c->algorithm == "MD5")) {
    // Our own answer to any MD5 challenge must verify.
    const sightline::rtsp::Credentials cred{"user", "pass"};
    const std::string h = sightline::rtsp::AuthorizationHeader(*c, cred, "DESCRIBE", "rtsp://x/");
    Check(sightline::rtsp::VerifyDigestAuthorization(h, cred, c->realm, c->nonce, "DESCRIBE"));
  }
  sightline::rtsp::ChooseChallenge({value, "Basic realm=x"}).status().IgnoreError();
  sightline::rtsp::VerifyDigestAuthorization(value, {"u", "p"}, "r", "n", "PLAY");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckMessage(text);
  sightline::rtsp::ParseSessionHeader(text).status().IgnoreError();
  CheckTransport(text);
  CheckAuth(text);
  return 0;
}
