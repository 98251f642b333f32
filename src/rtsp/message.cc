#include "rtsp/message.h"

#include <cstdio>

#include "rtsp/text.h"

namespace sightline::rtsp {
namespace {

// RFC 7230 section 3.2.6 tchar, which RFC 2326 section 15 "token" matches.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// "RTSP/" DIGIT+ "." DIGIT+ (RFC 2326 section 3.1).
bool IsRtspVersion(std::string_view s) {
  if (s.size() < 8 || s.substr(0, 5) != "RTSP/") return false;
  s.remove_prefix(5);
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos) return false;
  return ParseDecimal(s.substr(0, dot), 99).has_value() &&
         ParseDecimal(s.substr(dot + 1), 99).has_value();
}

// Splits off the next run of non-blank characters; `s` keeps what follows.
std::string_view NextWord(std::string_view& s) {
  size_t i = 0;
  while (i < s.size() && IsSpaceOrTab(s[i])) ++i;
  size_t j = i;
  while (j < s.size() && !IsSpaceOrTab(s[j])) ++j;
  std::string_view word = s.substr(i, j - i);
  s.remove_prefix(j);
  return word;
}

// Finds the end of the header block: the index just past the empty line that ends it, or npos.
// Accepts CRLF and bare LF line ends, also mixed.
size_t FindHeaderEnd(std::string_view data, size_t* first_bad_byte) {
  *first_bad_byte = std::string_view::npos;
  bool at_line_start = false;
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (c == '\n') {
      if (at_line_start) return i + 1;
      at_line_start = true;
      continue;
    }
    if (c == '\r') continue;  // part of a CRLF; a lone CR inside a line is left to the line parser
    // Control bytes never appear in RTSP text. Reporting them early lets the stream splitter
    // resynchronise on binary data instead of buffering it as a never-ending header block.
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      *first_bad_byte = i;
      return std::string_view::npos;
    }
    at_line_start = false;
  }
  return std::string_view::npos;
}

Status ParseStartLine(std::string_view line, RtspMessage* out) {
  std::string_view rest = line;
  const std::string_view first = NextWord(rest);
  if (first.substr(0, 5) == "RTSP/") {
    if (!IsRtspVersion(first)) {
      return InvalidArgumentError("RTSP status line: bad version '" + std::string(first) + "'");
    }
    const std::string_view code = NextWord(rest);
    const auto status = ParseDecimal(code, 999);
    if (code.size() != 3 || !status || *status < 100) {
      return InvalidArgumentError("RTSP status line: bad status code '" + std::string(code) + "'");
    }
    out->is_response = true;
    out->status_code = static_cast<int>(*status);
    // Quirk: some cameras send no reason phrase ("RTSP/1.0 200"), or pad it with spaces.
    out->reason = std::string(TrimWhitespace(rest));
    return Status::Ok();
  }
  const std::string_view uri = NextWord(rest);
  const std::string_view version = NextWord(rest);
  if (!IsToken(first)) {
    return InvalidArgumentError("RTSP request line: bad method '" + std::string(first) + "'");
  }
  if (uri.empty()) return InvalidArgumentError("RTSP request line: missing URI");
  if (!IsRtspVersion(version)) {
    return InvalidArgumentError("RTSP request line: bad version '" + std::string(version) + "'");
  }
  if (!TrimWhitespace(rest).empty()) {
    return InvalidArgumentError("RTSP request line: text after the version");
  }
  out->is_response = false;
  out->method = std::string(first);
  out->uri = std::string(uri);
  return Status::Ok();
}

}  // namespace

std::optional<std::string_view> RtspMessage::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> RtspMessage::Headers(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) out.emplace_back(v);
  }
  return out;
}

std::optional<int> RtspMessage::CSeq() const {
  const auto v = Header("CSeq");
  if (!v) return std::nullopt;
  const auto n = ParseDecimal(*v, 0x7fffffff);
  if (!n) return std::nullopt;
  return static_cast<int>(*n);
}

std::string RtspMessage::Serialize() const {
  std::string out;
  out.reserve(128 + body.size());
  if (is_response) {
    char code[16];
    std::snprintf(code, sizeof(code), "%03d", status_code);
    out.append("RTSP/1.0 ").append(code);
    if (!reason.empty()) out.append(" ").append(reason);
  } else {
    out.append(method).append(" ").append(uri).append(" RTSP/1.0");
  }
  out.append("\r\n");
  // A Content-Length already present is rewritten in place with the real body size, so a
  // parsed message serializes with its header order intact and can never lie about its body.
  bool wrote_length = false;
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, "Content-Length")) {
      if (wrote_length) continue;
      out.append(n).append(": ").append(std::to_string(body.size())).append("\r\n");
      wrote_length = true;
      continue;
    }
    out.append(n).append(": ").append(v).append("\r\n");
  }
  if (!wrote_length && !body.empty()) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n");
  out.append(body);
  return out;
}

Result<size_t> ParseRtspMessage(std::string_view data, RtspMessage* out) {
  size_t bad = 0;
  const std::string_view window = data.substr(0, kMaxRtspHeaderBytes);
  const size_t header_end = FindHeaderEnd(window, &bad);
  if (bad != std::string_view::npos) {
    return InvalidArgumentError("RTSP header: control byte at offset " + std::to_string(bad));
  }
  if (header_end == std::string_view::npos) {
    if (data.size() >= kMaxRtspHeaderBytes) {
      return ResourceExhaustedError("RTSP header: longer than " +
                                    std::to_string(kMaxRtspHeaderBytes) + " bytes");
    }
    return size_t{0};
  }

  RtspMessage msg;
  std::string_view block = data.substr(0, header_end);
  size_t line_no = 0;
  std::optional<size_t> content_length;
  while (!block.empty()) {
    const size_t nl = block.find('\n');
    std::string_view line = block.substr(0, nl);
    block.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    if (line_no == 1) {
      if (TrimWhitespace(line).empty()) return InvalidArgumentError("RTSP: empty start line");
      RETURN_IF_ERROR(ParseStartLine(line, &msg));
      continue;
    }
    if (line.empty()) break;  // the blank line ending the headers
    const std::string where = "RTSP header line " + std::to_string(line_no) + ": ";
    if (IsSpaceOrTab(line.front())) {
      // RFC 2326 allows folded headers, but no camera or client we know sends them.
      return InvalidArgumentError(where + "continuation lines are not supported");
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return InvalidArgumentError(where + "missing ':'");
    const std::string_view name = TrimWhitespace(line.substr(0, colon));
    if (name.empty()) return InvalidArgumentError(where + "empty header name");
    const std::string_view value = TrimWhitespace(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Length")) {
      const auto n = ParseDecimal(value, UINT32_MAX);
      if (!n) {
        return InvalidArgumentError(where + "bad Content-Length '" + std::string(value) + "'");
      }
      if (content_length && *content_length != *n) {
        return InvalidArgumentError(where + "conflicting Content-Length headers");
      }
      if (*n > kMaxRtspBodyBytes) {
        return ResourceExhaustedError(where + "Content-Length " + std::to_string(*n) +
                                      " over the limit of " + std::to_string(kMaxRtspBodyBytes));
      }
      content_length = static_cast<size_t>(*n);
    }
    msg.headers.emplace_back(std::string(name), std::string(value));
  }

  const size_t body_size = content_length.value_or(0);
  if (data.size() - header_end < body_size) return size_t{0};
  msg.body = std::string(data.substr(header_end, body_size));
  *out = std::move(msg);
  return header_end + body_size;
}

Result<SessionHeader> ParseSessionHeader(std::string_view value) {
  const size_t semi = value.find(';');
  SessionHeader out;
  out.id = std::string(TrimWhitespace(value.substr(0, semi)));
  if (out.id.empty()) return InvalidArgumentError("Session header: empty session id");
  std::string_view params = semi == std::string_view::npos ? "" : value.substr(semi + 1);
  while (!params.empty()) {
    const size_t next = params.find(';');
    const std::string_view param = params.substr(0, next);
    params = next == std::string_view::npos ? "" : params.substr(next + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreCase(TrimWhitespace(param.substr(0, eq)), "timeout")) continue;
    // Quirk: cameras send "timeout=0" or garbage; keeping the RFC default is safer than
    // failing SETUP or sending keepalives in a tight loop.
    const auto t = ParseDecimal(TrimWhitespace(param.substr(eq + 1)), 86400);
    if (t && *t > 0) out.timeout_s = static_cast<int>(*t);
  }
  return out;
}

namespace {

// "a-b" or "a" (then b = a + 1, RFC 2326 section 12.39 port and channel ranges).
std::optional<std::pair<int, int>> ParseRange(std::string_view s, int max) {
  const size_t dash = s.find('-');
  const auto a = ParseDecimal(TrimWhitespace(s.substr(0, dash)), static_cast<uint64_t>(max));
  if (!a) return std::nullopt;
  if (dash == std::string_view::npos) {
    if (static_cast<int>(*a) + 1 > max) return std::nullopt;
    return std::pair<int, int>(static_cast<int>(*a), static_cast<int>(*a) + 1);
  }
  const auto b = ParseDecimal(TrimWhitespace(s.substr(dash + 1)), static_cast<uint64_t>(max));
  if (!b) return std::nullopt;
  return std::pair<int, int>(static_cast<int>(*a), static_cast<int>(*b));
}

std::optional<uint32_t> ParseHex32(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    v = v << 4 | static_cast<uint32_t>(d);
  }
  return v;
}

}  // namespace

Result<TransportHeader> ParseTransportHeader(std::string_view value) {
  // A request may list alternatives separated by ','; a reply carries one. Use the first.
  std::string_view spec = value.substr(0, value.find(','));
  TransportHeader t;
  const size_t semi = spec.find(';');
  const std::string_view protocol = TrimWhitespace(spec.substr(0, semi));
  if (EqualsIgnoreCase(protocol, "RTP/AVP/TCP")) {
    t.tcp = true;
  } else if (EqualsIgnoreCase(protocol, "RTP/AVP") || EqualsIgnoreCase(protocol, "RTP/AVP/UDP")) {
    t.tcp = false;
  } else {
    return InvalidArgumentError("Transport: unsupported protocol '" + std::string(protocol) + "'");
  }
  std::string_view params = semi == std::string_view::npos ? "" : spec.substr(semi + 1);
  while (!params.empty()) {
    const size_t next = params.find(';');
    const std::string_view param = TrimWhitespace(params.substr(0, next));
    params = next == std::string_view::npos ? "" : params.substr(next + 1);
    const size_t eq = param.find('=');
    const std::string_view name = TrimWhitespace(param.substr(0, eq));
    std::string_view val = eq == std::string_view::npos ? "" : TrimWhitespace(param.substr(eq + 1));
    if (val.size() >= 2 && val.front() == '"' && val.back() == '"') {
      val = val.substr(1, val.size() - 2);
    }
    if (EqualsIgnoreCase(name, "unicast")) {
      t.unicast = true;
    } else if (EqualsIgnoreCase(name, "multicast")) {
      t.unicast = false;
    } else if (EqualsIgnoreCase(name, "interleaved")) {
      t.interleaved = ParseRange(val, 255);
      if (!t.interleaved) {
        return InvalidArgumentError("Transport: bad interleaved '" + std::string(val) + "'");
      }
    } else if (EqualsIgnoreCase(name, "client_port")) {
      t.client_port = ParseRange(val, 65535);
      if (!t.client_port) {
        return InvalidArgumentError("Transport: bad client_port '" + std::string(val) + "'");
      }
    } else if (EqualsIgnoreCase(name, "server_port")) {
      t.server_port = ParseRange(val, 65535);
      if (!t.server_port) {
        return InvalidArgumentError("Transport: bad server_port '" + std::string(val) + "'");
      }
    } else if (EqualsIgnoreCase(name, "ssrc")) {
      // Quirk: some cameras send an ssrc that is not 8 hex digits; it is only advisory
      // (RFC 2326 section 12.39), so a bad one is dropped rather than failing SETUP.
      t.ssrc = ParseHex32(val);
    } else if (EqualsIgnoreCase(name, "source")) {
      t.source = std::string(val);
    }
  }
  return t;
}

std::string FormatTransportHeader(const TransportHeader& t) {
  std::string out = t.tcp ? "RTP/AVP/TCP" : "RTP/AVP";
  out.append(t.unicast ? ";unicast" : ";multicast");
  auto range = [&out](const char* name, const std::pair<int, int>& r) {
    out.append(";").append(name).append("=").append(std::to_string(r.first)).append("-").append(
        std::to_string(r.second));
  };
  if (t.interleaved) range("interleaved", *t.interleaved);
  if (t.client_port) range("client_port", *t.client_port);
  if (t.server_port) range("server_port", *t.server_port);
  if (t.ssrc) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "%08X", *t.ssrc);
    out.append(";ssrc=").append(hex);
  }
  if (!t.source.empty()) out.append(";source=").append(t.source);
  return out;
}

}  // namespace sightline::rtsp
