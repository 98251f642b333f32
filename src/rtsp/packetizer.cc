#include "rtsp/packetizer.h"

#include <algorithm>

namespace sightline::rtsp {
namespace {

// RFC 6184 section 5.4 / RFC 7798 section 1.1.4 payload types and header sizes.
constexpr uint8_t kH264StapA = 24;
constexpr uint8_t kH264FuA = 28;
constexpr uint8_t kH265Ap = 48;
constexpr uint8_t kH265Fu = 49;

size_t NalHeaderBytes(media::Codec codec) { return codec == media::Codec::kH264 ? 1 : 2; }

// The NAL units of a length-prefixed access unit, up to the first malformed one (a length
// that overruns the buffer or a truncated length field): the header says such a unit ends
// packetization, and the units before it are still sent.
std::vector<ByteSpan> ReadNals(ByteSpan au) {
  std::vector<ByteSpan> nals;
  ByteReader r(au);
  while (r.remaining() > 0) {
    uint32_t size = 0;
    ByteSpan nal;
    if (!r.ReadBe32(&size) || !r.ReadSpan(size, &nal)) break;
    nals.push_back(nal);
  }
  return nals;
}

// The header of an STAP-A (RFC 6184 section 5.7.1: F is the OR of the aggregated units' F
// bits, NRI their maximum) or of an AP (RFC 7798 section 4.4.2: F the OR, LayerId and TID the
// lowest of the aggregated units').
void AppendAggregateHeader(media::Codec codec, std::span<const ByteSpan> nals, Bytes& out) {
  if (codec == media::Codec::kH264) {
    uint8_t f = 0;
    uint8_t nri = 0;
    for (ByteSpan nal : nals) {
      f |= nal[0] & 0x80;
      nri = std::max<uint8_t>(nri, nal[0] & 0x60);
    }
    out.push_back(f | nri | kH264StapA);
    return;
  }
  uint8_t f = 0;
  int layer_id = 63;
  int tid = 7;
  for (ByteSpan nal : nals) {
    f |= nal[0] & 0x80;
    layer_id = std::min(layer_id, (nal[0] & 0x01) << 5 | nal[1] >> 3);
    tid = std::min(tid, nal[1] & 0x07);
  }
  out.push_back(static_cast<uint8_t>(f | kH265Ap << 1 | layer_id >> 5));
  out.push_back(static_cast<uint8_t>((layer_id & 0x1f) << 3 | tid));
}

// Fragments one NAL unit (RFC 6184 section 5.8 FU-A; RFC 7798 section 4.4.3 FU). Each
// fragment carries at least one byte even if max_payload_bytes is smaller than the headers.
void AppendFragments(media::Codec codec, ByteSpan nal, size_t max_payload_bytes,
                     std::vector<RtpPayload>& out) {
  Bytes prefix;  // FU indicator / payload header, then the FU header's type bits
  uint8_t type_bits = 0;
  if (codec == media::Codec::kH264) {
    prefix = {static_cast<uint8_t>((nal[0] & 0xe0) | kH264FuA)};
    type_bits = nal[0] & 0x1f;
  } else {
    prefix = {static_cast<uint8_t>((nal[0] & 0x81) | kH265Fu << 1), nal[1]};
    type_bits = (nal[0] >> 1) & 0x3f;
  }
  const size_t headers = prefix.size() + 1;
  const size_t chunk = max_payload_bytes > headers ? max_payload_bytes - headers : 1;
  ByteSpan rest = nal.subspan(NalHeaderBytes(codec));
  bool first = true;
  while (!rest.empty()) {
    const size_t n = std::min(chunk, rest.size());
    const bool last = n == rest.size();
    RtpPayload& p = out.emplace_back();
    p.bytes.reserve(headers + n);
    AppendBytes(p.bytes, prefix);
    p.bytes.push_back(static_cast<uint8_t>((first ? 0x80 : 0) | (last ? 0x40 : 0) | type_bits));
    AppendBytes(p.bytes, rest.first(n));
    rest = rest.subspan(n);
    first = false;
  }
}

}  // namespace

void PacketizeAccessUnit(media::Codec codec, ByteSpan au, const PacketizerOptions& options,
                         std::vector<RtpPayload>& out) {
  std::vector<ByteSpan> nals = ReadNals(au);
  // A unit shorter than its NAL header cannot be sent in any packet type.
  std::erase_if(nals, [&](ByteSpan nal) { return nal.size() < NalHeaderBytes(codec); });
  const size_t first_payload = out.size();
  const size_t aggregate_header = NalHeaderBytes(codec);
  const size_t max = options.max_payload_bytes;

  size_t i = 0;
  while (i < nals.size()) {
    // The longest run of units starting at i that fits one aggregation packet; worth it for
    // two or more (RFC 6184 section 5.7: typically SPS, PPS and SEI).
    size_t run = 0;
    if (options.aggregate) {
      size_t size = aggregate_header;
      while (i + run < nals.size() && size + 2 + nals[i + run].size() <= max &&
             nals[i + run].size() <= 0xffff) {
        size += 2 + nals[i + run].size();
        ++run;
      }
    }
    if (run >= 2) {
      const std::span<const ByteSpan> group(nals.data() + i, run);
      RtpPayload& p = out.emplace_back();
      AppendAggregateHeader(codec, group, p.bytes);
      for (ByteSpan nal : group) {
        AppendBe16(p.bytes, static_cast<uint16_t>(nal.size()));
        AppendBytes(p.bytes, nal);
      }
      i += run;
      continue;
    }
    ByteSpan nal = nals[i++];
    if (nal.size() <= max || nal.size() == NalHeaderBytes(codec)) {
      out.push_back(RtpPayload{Bytes(nal.begin(), nal.end()), false});
    } else {
      AppendFragments(codec, nal, max, out);
    }
  }
  if (out.size() > first_payload) out.back().marker = true;
}

}  // namespace sightline::rtsp
