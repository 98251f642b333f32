#pragma once
// RTSP 1.0 messages (RFC 2326 sections 6 and 7): requests and responses, parsed from and
// written to text. Pure; no sockets.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sightline::rtsp {

struct RtspMessage {
  bool is_response = false;
  // Request line (is_response == false).
  std::string method;
  std::string uri;
  // Status line (is_response == true).
  int status_code = 0;
  std::string reason;
  // Header fields in the order received; names as sent, values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // First header with this name, compared case-insensitively.
  std::optional<std::string_view> Header(std::string_view name) const;
  // All headers with this name (e.g. several WWW-Authenticate challenges).
  std::vector<std::string_view> Headers(std::string_view name) const;
  // The CSeq header as a number, if present and valid.
  std::optional<int> CSeq() const;
  void AddHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }

  // Serializes with "RTSP/1.0", CRLF line ends, and Content-Length when body is non-empty.
  std::string Serialize() const;
};

// Limits that make a hostile peer unable to make us buffer without bound.
inline constexpr size_t kMaxRtspHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxRtspBodyBytes = 64 * 1024;

// Parses one complete message from the start of `data`. Returns the number of bytes consumed
// (0 if `data` does not yet hold a complete message), or an error naming what is malformed.
// Accepts bare LF line ends (seen on some cameras) as well as CRLF.
Result<size_t> ParseRtspMessage(std::string_view data, RtspMessage* out);

// The session id from a Session header value ("12345678;timeout=60"), and its timeout in
// seconds (RFC 2326 section 12.37; default 60 when absent).
struct SessionHeader {
  std::string id;
  int timeout_s = 60;
};
Result<SessionHeader> ParseSessionHeader(std::string_view value);

// A Transport header (RFC 2326 section 12.39), the parts Sightline uses.
struct TransportHeader {
  bool tcp = false;                    // RTP/AVP/TCP
  bool unicast = true;
  std::optional<std::pair<int, int>> interleaved;  // channels for RTP, RTCP
  std::optional<std::pair<int, int>> client_port;
  std::optional<std::pair<int, int>> server_port;
  std::optional<uint32_t> ssrc;
  std::string source;
};
Result<TransportHeader> ParseTransportHeader(std::string_view value);
std::string FormatTransportHeader(const TransportHeader& t);

}  // namespace sightline::rtsp
