#include "rtsp/rtp.h"

#include <string>

namespace sightline::rtsp {
namespace {

constexpr size_t kRtpHeaderBytes = 12;
constexpr uint8_t kRtcpSr = 200;
constexpr uint8_t kRtcpRr = 201;
constexpr uint8_t kRtcpSdes = 202;
constexpr size_t kSrBytes = 28;           // header, SSRC, sender info (RFC 3550 section 6.4.1)
constexpr size_t kReportBlockBytes = 24;  // one reception report block
constexpr std::string_view kCname = "sightline";

std::string N(size_t v) { return std::to_string(v); }

// Appends an SDES packet with a single CNAME chunk (RFC 3550 section 6.5.1).
void AppendSdesCname(uint32_t ssrc, Bytes& out) {
  const size_t start = out.size();
  out.push_back(0x81);  // V=2, P=0, SC=1
  out.push_back(kRtcpSdes);
  AppendBe16(out, 0);  // length, patched below
  AppendBe32(out, ssrc);
  out.push_back(1);  // CNAME
  out.push_back(static_cast<uint8_t>(kCname.size()));
  AppendBytes(out, AsBytes(kCname));
  // The item list ends with at least one null octet, padded to a 32-bit boundary.
  do {
    out.push_back(0);
  } while ((out.size() - start) % 4 != 0);
  StoreBe16(out.data() + start + 2, static_cast<uint16_t>((out.size() - start) / 4 - 1));
}

}  // namespace

Result<RtpPacket> ParseRtpPacket(ByteSpan packet) {
  // RFC 3550 section 5.1.
  if (packet.size() < kRtpHeaderBytes) {
    return InvalidArgumentError("RTP: packet of " + N(packet.size()) +
                                " bytes is shorter than the 12-byte header");
  }
  const uint8_t b0 = packet[0];
  const int version = b0 >> 6;
  if (version != 2) return InvalidArgumentError("RTP: version " + N(version) + ", expected 2");
  const bool padding = b0 & 0x20;
  const bool extension = b0 & 0x10;
  const size_t csrc_count = b0 & 0x0f;
  RtpPacket p;
  p.marker = packet[1] & 0x80;
  p.payload_type = packet[1] & 0x7f;
  p.sequence = LoadBe16(&packet[2]);
  p.timestamp = LoadBe32(&packet[4]);
  p.ssrc = LoadBe32(&packet[8]);
  size_t offset = kRtpHeaderBytes + 4 * csrc_count;
  if (offset > packet.size()) {
    return InvalidArgumentError("RTP: CSRC count " + N(csrc_count) + " overruns packet of " +
                                N(packet.size()) + " bytes");
  }
  if (extension) {
    // Section 5.3.1: 16-bit profile field, 16-bit length in 32-bit words, then the data.
    if (offset + 4 > packet.size()) {
      return InvalidArgumentError("RTP: extension header at offset " + N(offset) +
                                  " overruns packet of " + N(packet.size()) + " bytes");
    }
    const size_t ext_bytes = 4 * size_t{LoadBe16(&packet[offset + 2])};
    offset += 4;
    if (ext_bytes > packet.size() - offset) {
      return InvalidArgumentError("RTP: extension length " + N(ext_bytes) +
                                  " overruns packet of " + N(packet.size()) + " bytes");
    }
    offset += ext_bytes;
  }
  size_t end = packet.size();
  if (padding) {
    // The last octet counts the padding octets, itself included.
    const size_t pad = packet.back();
    if (pad == 0 || pad > end - offset) {
      return InvalidArgumentError("RTP: padding count " + N(pad) + " exceeds payload of " +
                                  N(end - offset) + " bytes");
    }
    end -= pad;
  }
  p.payload = packet.subspan(offset, end - offset);
  return p;
}

void WriteRtpPacket(uint8_t payload_type, bool marker, uint16_t sequence, uint32_t timestamp,
                    uint32_t ssrc, ByteSpan payload, Bytes& out) {
  out.reserve(out.size() + kRtpHeaderBytes + payload.size());
  out.push_back(0x80);  // V=2, P=0, X=0, CC=0
  out.push_back(static_cast<uint8_t>((marker ? 0x80 : 0) | (payload_type & 0x7f)));
  AppendBe16(out, sequence);
  AppendBe32(out, timestamp);
  AppendBe32(out, ssrc);
  AppendBytes(out, payload);
}

Result<std::optional<SenderReport>> ParseRtcpCompound(ByteSpan packet) {
  if (packet.empty()) return InvalidArgumentError("RTCP: empty packet");
  std::optional<SenderReport> sr;
  size_t offset = 0;
  while (offset < packet.size()) {
    // RFC 3550 section 6.4.1 common header: V, P, count, PT, length in 32-bit words minus one.
    const std::string where = "RTCP at offset " + N(offset) + ": ";
    const size_t left = packet.size() - offset;
    if (left < 4) return InvalidArgumentError(where + N(left) + " bytes left, header needs 4");
    const uint8_t* h = packet.data() + offset;
    const int version = h[0] >> 6;
    if (version != 2) return InvalidArgumentError(where + "version " + N(version) + ", expected 2");
    const bool padding = h[0] & 0x20;
    const size_t count = h[0] & 0x1f;
    const uint8_t type = h[1];
    const size_t length = (size_t{LoadBe16(h + 2)} + 1) * 4;
    if (length > left) {
      return InvalidArgumentError(where + "length " + N(length) + " overruns the " + N(left) +
                                  " bytes left");
    }
    size_t content = length;
    if (padding) {
      const size_t pad = h[length - 1];
      if (pad == 0 || pad > length - 4) {
        return InvalidArgumentError(where + "padding count " + N(pad) + " in a packet of " +
                                    N(length) + " bytes");
      }
      content -= pad;
    }
    if (type == kRtcpSr) {
      if (content < kSrBytes + count * kReportBlockBytes) {
        return InvalidArgumentError(where + "SR of " + N(content) + " bytes is too short for " +
                                    N(count) + " report blocks");
      }
      if (!sr) {
        sr = SenderReport{.ssrc = LoadBe32(h + 4),
                          .ntp_timestamp = LoadBe64(h + 8),
                          .rtp_timestamp = LoadBe32(h + 16),
                          .packet_count = LoadBe32(h + 20),
                          .octet_count = LoadBe32(h + 24)};
      }
    } else if (type == kRtcpRr) {
      if (content < 8 + count * kReportBlockBytes) {
        return InvalidArgumentError(where + "RR of " + N(content) + " bytes is too short for " +
                                    N(count) + " report blocks");
      }
    }
    offset += length;
  }
  return sr;
}

void WriteRtcpSenderReport(const SenderReport& sr, Bytes& out) {
  out.push_back(0x80);  // V=2, P=0, RC=0
  out.push_back(kRtcpSr);
  AppendBe16(out, kSrBytes / 4 - 1);
  AppendBe32(out, sr.ssrc);
  AppendBe32(out, static_cast<uint32_t>(sr.ntp_timestamp >> 32));
  AppendBe32(out, static_cast<uint32_t>(sr.ntp_timestamp));
  AppendBe32(out, sr.rtp_timestamp);
  AppendBe32(out, sr.packet_count);
  AppendBe32(out, sr.octet_count);
  AppendSdesCname(sr.ssrc, out);
}

void WriteRtcpReceiverReport(uint32_t ssrc, Bytes& out) {
  out.push_back(0x80);  // V=2, P=0, RC=0
  out.push_back(kRtcpRr);
  AppendBe16(out, 1);
  AppendBe32(out, ssrc);
  AppendSdesCname(ssrc, out);
}

}  // namespace sightline::rtsp
