#pragma once
// RTP (RFC 3550 section 5.1) and RTCP sender-report (section 6.4.1) parsing and writing.
// Pure functions over bytes: no sockets, no clocks.

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace sightline::rtsp {

// A parsed RTP packet. `payload` points into the buffer passed to ParseRtpPacket (CSRCs,
// header extension and padding removed) and is valid as long as that buffer.
struct RtpPacket {
  uint8_t payload_type = 0;
  bool marker = false;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  ByteSpan payload;
};

Result<RtpPacket> ParseRtpPacket(ByteSpan packet);

// Appends a 12-byte RTP header (version 2, no CSRC, no extension) and the payload to `out`.
void WriteRtpPacket(uint8_t payload_type, bool marker, uint16_t sequence, uint32_t timestamp,
                    uint32_t ssrc, ByteSpan payload, Bytes& out);

// An RTCP sender report: maps an RTP timestamp to the sender's NTP wall clock.
struct SenderReport {
  uint32_t ssrc = 0;
  uint64_t ntp_timestamp = 0;  // 32.32 fixed point seconds since 1900-01-01
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
};

// Scans a compound RTCP packet (RFC 3550 section 6.1) and returns its sender report, if any.
// Other packet types (RR, SDES, BYE, APP) are skipped. Fails only on malformed framing.
Result<std::optional<SenderReport>> ParseRtcpCompound(ByteSpan packet);

// Writes an RTCP SR followed by a minimal SDES CNAME (RFC 3550 section 6.1 requires it).
void WriteRtcpSenderReport(const SenderReport& sr, Bytes& out);
// Writes an RTCP receiver report with no report blocks plus SDES CNAME: what a client sends
// over UDP so that servers and NATs keep the session alive.
void WriteRtcpReceiverReport(uint32_t ssrc, Bytes& out);

}  // namespace sightline::rtsp
