#include "rtsp/sdp.h"

#include "rtsp/text.h"

namespace sightline::rtsp {
namespace {

struct StaticPayload {
  int pt;
  const char* encoding;
  int clock_rate;
};
// RFC 3551 section 6, the static types cameras use without an rtpmap line.
constexpr StaticPayload kStaticPayloads[] = {
    {0, "PCMU", 8000}, {8, "PCMA", 8000}, {26, "JPEG", 90000}};

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

// Splits "<pt> <rest>" as used by a=rtpmap and a=fmtp (RFC 8866 section 6.6 and 6.15).
bool SplitPayloadType(std::string_view value, int* pt, std::string_view* rest) {
  value = TrimWhitespace(value);
  size_t sp = 0;
  while (sp < value.size() && !IsSpaceOrTab(value[sp])) ++sp;
  const auto n = ParseDecimal(value.substr(0, sp), 127);
  if (!n) return false;
  *pt = static_cast<int>(*n);
  *rest = TrimWhitespace(value.substr(sp));
  return true;
}

Status ParseMediaLine(std::string_view value, SdpMedia* m) {
  // m=<media> <port>[/<count>] <proto> <fmt> ... (RFC 8866 section 5.14)
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && IsSpaceOrTab(value[i])) ++i;
    size_t j = i;
    while (j < value.size() && !IsSpaceOrTab(value[j])) ++j;
    if (j > i) words.push_back(value.substr(i, j - i));
    i = j;
  }
  if (words.size() < 3) return InvalidArgumentError("m= line needs media, port and protocol");
  m->type = std::string(words[0]);
  const std::string_view port = words[1].substr(0, words[1].find('/'));
  const auto p = ParseDecimal(port, 65535);
  if (!p) return InvalidArgumentError("bad port '" + std::string(words[1]) + "'");
  m->port = static_cast<int>(*p);
  m->protocol = std::string(words[2]);
  const bool rtp = StartsWithIgnoreCase(m->protocol, "RTP/");
  for (size_t k = 3; k < words.size(); ++k) {
    const auto f = ParseDecimal(words[k], 127);
    if (!f) {
      if (rtp) return InvalidArgumentError("bad payload type '" + std::string(words[k]) + "'");
      continue;  // non-RTP media name formats by other means; nothing we use
    }
    m->formats.push_back(static_cast<int>(*f));
  }
  if (!m->formats.empty()) {
    m->payload_type = m->formats.front();
    for (const StaticPayload& s : kStaticPayloads) {
      if (s.pt == m->payload_type) {
        m->encoding = s.encoding;
        m->clock_rate = s.clock_rate;
      }
    }
  }
  return Status::Ok();
}

Status ParseRtpmap(std::string_view value, SdpMedia* m) {
  // a=rtpmap:<pt> <encoding>/<clock rate>[/<params>] (RFC 8866 section 6.6)
  int pt = 0;
  std::string_view rest;
  if (!SplitPayloadType(value, &pt, &rest)) return InvalidArgumentError("bad rtpmap payload type");
  // Lines for payload types we do not use are not checked further: a camera's mistake there
  // must not cost the stream.
  if (pt != m->payload_type) return Status::Ok();
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return InvalidArgumentError("rtpmap needs <encoding>/<clock rate>");
  }
  const std::string_view clock =
      TrimWhitespace(rest.substr(slash + 1, rest.find('/', slash + 1) - slash - 1));
  const auto rate = ParseDecimal(clock, 10'000'000);
  if (!rate || *rate == 0) {
    return InvalidArgumentError("bad rtpmap clock rate '" + std::string(clock) + "'");
  }
  m->encoding = AsciiUpper(TrimWhitespace(rest.substr(0, slash)));
  m->clock_rate = static_cast<int>(*rate);
  return Status::Ok();
}

Status ParseFmtp(std::string_view value, SdpMedia* m) {
  // a=fmtp:<pt> key=value;key=value (RFC 8866 section 6.15; RFC 6184 section 8.1).
  int pt = 0;
  std::string_view rest;
  if (!SplitPayloadType(value, &pt, &rest)) return InvalidArgumentError("bad fmtp payload type");
  if (pt != m->payload_type) return Status::Ok();
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    const std::string_view param = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? "" : rest.substr(semi + 1);
    // Split on the first '=' only: base64 values (sprop-parameter-sets) end in '=' padding.
    const size_t eq = param.find('=');
    const std::string_view key = TrimWhitespace(param.substr(0, eq));
    if (key.empty()) continue;
    const std::string_view val =
        eq == std::string_view::npos ? "" : TrimWhitespace(param.substr(eq + 1));
    m->fmtp[AsciiLower(key)] = std::string(val);
  }
  return Status::Ok();
}

}  // namespace

Result<Sdp> ParseSdp(std::string_view text) {
  Sdp sdp;
  SdpMedia* media = nullptr;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    ++line_no;
    // Quirks: bare LF line ends; trailing spaces and tabs (RFC 8866 allows neither).
    line = TrimWhitespace(line);
    if (line.empty()) continue;
    const std::string where = "SDP line " + std::to_string(line_no) + ": ";
    if (line.size() < 2 || line[1] != '=') {
      return InvalidArgumentError(where + "expected '<type>=<value>'");
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    Status st;
    switch (type) {
      case 's':
        if (media == nullptr) sdp.session_name = std::string(value);
        break;
      case 'm':
        media = &sdp.media.emplace_back();
        st = ParseMediaLine(value, media);
        break;
      case 'a': {
        const size_t colon = value.find(':');
        const std::string_view name = value.substr(0, colon);
        const std::string_view attr =
            colon == std::string_view::npos ? "" : TrimWhitespace(value.substr(colon + 1));
        if (EqualsIgnoreCase(name, "control")) {
          (media != nullptr ? media->control : sdp.control) = std::string(attr);
        } else if (media != nullptr && EqualsIgnoreCase(name, "rtpmap")) {
          st = ParseRtpmap(attr, media);
        } else if (media != nullptr && EqualsIgnoreCase(name, "fmtp")) {
          st = ParseFmtp(attr, media);
        }
        break;
      }
      default:
        break;  // v=, o=, c=, t=, b= and unknown types carry nothing Sightline uses
    }
    if (!st.ok()) return std::move(st).WithContext(where.substr(0, where.size() - 2));
  }
  return sdp;
}

std::string ResolveControlUrl(std::string_view base_url, std::string_view control) {
  // RFC 2326 appendix C.1.1: an absolute control URL is used as is; "*" means the base itself.
  if (control.find("://") != std::string_view::npos) return std::string(control);
  if (control.empty() || control == "*") return std::string(base_url);
  if (base_url.empty()) return std::string(control);
  // Cameras give base URLs with and without a trailing slash and relative controls with and
  // without a leading one; like most clients, join them with exactly one slash.
  while (!control.empty() && control.front() == '/') control.remove_prefix(1);
  std::string out(base_url);
  if (out.back() != '/') out.push_back('/');
  out.append(control);
  return out;
}

}  // namespace sightline::rtsp
