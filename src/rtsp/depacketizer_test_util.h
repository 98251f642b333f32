#pragma once
// Test helpers for the (de)packetizer tests: real parameter sets and synthetic NAL units and
// RTP payloads. Test-only; not part of any library.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "media/frame.h"
#include "rtsp/depacketizer.h"
#include "rtsp/rtp.h"

namespace sightline::rtsp::testing {

inline Bytes FromHex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

// Parameter sets written by x264 and x265 (ffmpeg, testsrc, yuv420p) at two resolutions.
inline Bytes H264Sps320x240() { return FromHex("6742c00bda0507ec0440000003004000000503c50aa8"); }
inline Bytes H264Sps640x360() {
  return FromHex("6742c016da0280bfe5c044000003000400000300503c58ba80");
}
inline Bytes H264Pps() { return FromHex("68ce0fc8"); }
inline Bytes H265Vps320x240() {
  return FromHex("40010c01ffff01600000030090000003000003003c959409");
}
inline Bytes H265Sps320x240() {
  return FromHex("42010101600000030090000003000003003ca00a080f16595952930bc05a0200000300020000"
                 "03001410");
}
inline Bytes H265Vps640x360() {
  return FromHex("40010c01ffff01600000030090000003000003003f959409");
}
inline Bytes H265Sps640x360() {
  return FromHex("42010101600000030090000003000003003fa005020171f2e595952930bc05a020000003002000"
                 "00030141");
}
inline Bytes H265Pps() { return FromHex("4401c073c189"); }

// NAL unit types used by the tests, per codec.
struct NalTypes {
  int idr, slice, sei, aud;
};
inline NalTypes TypesFor(media::Codec codec) {
  // H.265: IDR_W_RADL 19, TRAIL_R 1, PREFIX_SEI 39, AUD 35.
  return codec == media::Codec::kH264 ? NalTypes{5, 1, 6, 9} : NalTypes{19, 1, 39, 35};
}

inline size_t HeaderBytes(media::Codec codec) { return codec == media::Codec::kH264 ? 1 : 2; }

// A NAL unit of `size` bytes (header included) whose body has no zero byte, so it contains no
// start code or emulation prevention pattern whatever its length.
inline Bytes MakeNal(media::Codec codec, int type, size_t size, uint8_t seed = 1) {
  Bytes nal;
  if (codec == media::Codec::kH264) {
    nal.push_back(static_cast<uint8_t>(0x60 | type));
  } else {
    nal.push_back(static_cast<uint8_t>(type << 1));
    nal.push_back(0x01);  // nuh_layer_id 0, nuh_temporal_id_plus1 1
  }
  uint32_t x = seed * 2654435761u + 1;
  while (nal.size() < size) {
    x = x * 1103515245u + 12345u;
    nal.push_back(static_cast<uint8_t>(1 + (x >> 16) % 255));
  }
  return nal;
}

inline Bytes LengthPrefixed(const std::vector<Bytes>& nals) {
  Bytes out;
  for (const Bytes& nal : nals) {
    AppendBe32(out, static_cast<uint32_t>(nal.size()));
    AppendBytes(out, nal);
  }
  return out;
}

inline Bytes Concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& p : parts) AppendBytes(out, p);
  return out;
}

// An FU-A (H.264) or FU (H.265) payload carrying `fragment` of `nal`'s body.
inline Bytes FuPayload(media::Codec codec, ByteSpan nal, bool start, bool end,
                       ByteSpan fragment) {
  Bytes p;
  const uint8_t se = static_cast<uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0));
  if (codec == media::Codec::kH264) {
    p.push_back(static_cast<uint8_t>((nal[0] & 0xe0) | 28));
    p.push_back(static_cast<uint8_t>(se | (nal[0] & 0x1f)));
  } else {
    p.push_back(static_cast<uint8_t>((nal[0] & 0x81) | 49 << 1));
    p.push_back(nal[1]);
    p.push_back(static_cast<uint8_t>(se | ((nal[0] >> 1) & 0x3f)));
  }
  AppendBytes(p, fragment);
  return p;
}

// An STAP-A (H.264) or AP (H.265) payload aggregating `nals`.
inline Bytes AggregatePayload(media::Codec codec, const std::vector<Bytes>& nals) {
  Bytes p;
  if (codec == media::Codec::kH264) {
    p.push_back(0x60 | 24);
  } else {
    p.push_back(48 << 1);
    p.push_back(0x01);
  }
  for (const Bytes& nal : nals) {
    AppendBe16(p, static_cast<uint16_t>(nal.size()));
    AppendBytes(p, nal);
  }
  return p;
}

// The packet refers to `payload`, which must outlive it.
inline RtpPacket Packet(const Bytes& payload, uint32_t timestamp, bool marker) {
  RtpPacket p;
  p.payload_type = 96;
  p.timestamp = timestamp;
  p.marker = marker;
  p.payload = payload;
  return p;
}

inline std::vector<AccessUnit> PopAll(Depacketizer& d) {
  std::vector<AccessUnit> out;
  while (std::optional<AccessUnit> au = d.Pop()) out.push_back(std::move(*au));
  return out;
}

}  // namespace sightline::rtsp::testing
