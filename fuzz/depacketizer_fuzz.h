#pragma once
// The body shared by h264_depacketizer_fuzzer.cc and h265_depacketizer_fuzzer.cc. The input
// is a script: optional SDP parameter sets, then packets, each as a flags byte (marker, next
// timestamp, a loss before it, a flush after it, a long length) and a length byte followed by
// that many payload bytes. Checks after every step:
//   - every access unit parses with SplitLengthPrefixed into NAL units whose types may appear
//     in an access unit, and is at most kMaxAccessUnitBytes;
//   - keyframe is set exactly when a NAL unit is an IDR / IRAP;
//   - output NAL bytes never exceed the payload bytes pushed (nothing is invented);
//   - stats().units_out counts the units popped;
//   - a unit whose NAL units hold no start code survives packetize -> depacketize unchanged.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <map>
#include <string>

#include "media/nal.h"
#include "rtsp/depacketizer.h"
#include "rtsp/nal_depacketizer.h"
#include "rtsp/packetizer.h"

namespace sightline::rtsp::fuzz {

inline void Check(bool ok) {
  if (!ok) std::abort();
}

inline bool HasStartCode(ByteSpan nal) {
  for (size_t i = 0; i + 2 < nal.size(); ++i) {
    if (nal[i] == 0 && nal[i + 1] == 0 && nal[i + 2] == 1) return true;
  }
  return false;
}

// Packetizes `au` and depacketizes it again with a fresh depacketizer.
inline void CheckRoundTrip(media::Codec codec, const AccessUnit& au, size_t max_payload,
                           bool aggregate) {
  std::vector<RtpPayload> payloads;
  PacketizeAccessUnit(codec, au.data, PacketizerOptions{max_payload, aggregate}, payloads);
  std::unique_ptr<Depacketizer> d = Depacketizer::Create(codec);
  for (const RtpPayload& p : payloads) {
    RtpPacket packet;
    packet.timestamp = au.rtp_timestamp;
    packet.marker = p.marker;
    packet.payload = p.bytes;
    d->Push(packet).IgnoreError();  // in-band parameter sets may not parse; not checked here
  }
  d->Flush();
  std::optional<AccessUnit> back = d->Pop();
  Check(back.has_value());
  Check(back->data == au.data);
  Check(back->keyframe == au.keyframe);
  Check(!d->Pop().has_value());
  Check(d->stats().malformed_packets == 0);
}

inline int FuzzDepacketizer(media::Codec codec, const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::unique_ptr<Depacketizer> d = Depacketizer::Create(codec);
  if (in.ConsumeBool()) {
    std::map<std::string, std::string> fmtp;
    if (codec == media::Codec::kH264) {
      fmtp["sprop-parameter-sets"] = in.ConsumeRandomLengthString(200);
    } else {
      fmtp["sprop-vps"] = in.ConsumeRandomLengthString(100);
      fmtp["sprop-sps"] = in.ConsumeRandomLengthString(200);
      fmtp["sprop-pps"] = in.ConsumeRandomLengthString(100);
    }
    d->SetSdpParameterSets(fmtp).IgnoreError();
  }
  const size_t max_payload = in.ConsumeIntegralInRange<size_t>(4, 1500);
  const bool aggregate = in.ConsumeBool();

  uint32_t timestamp = 0;
  uint64_t pushed_bytes = 0;
  uint64_t out_nal_bytes = 0;
  uint64_t popped = 0;
  Bytes payload;
  auto drain = [&] {
    while (std::optional<AccessUnit> au = d->Pop()) {
      ++popped;
      Check(au->data.size() <= kMaxAccessUnitBytes);
      Result<std::vector<ByteSpan>> nals = media::SplitLengthPrefixed(au->data);
      Check(nals.ok());
      Check(!nals->empty());
      bool keyframe = false;
      bool start_codes = false;
      for (ByteSpan nal : *nals) {
        Check(nal.size() >= (codec == media::Codec::kH264 ? 1u : 2u));
        const int type = codec == media::Codec::kH264 ? media::H264NalType(nal[0])
                                                      : media::H265NalType(nal[0]);
        Check(codec == media::Codec::kH264 ? (type >= 1 && type <= 23) : type <= 47);
        keyframe |= media::IsKeyframeNal(codec, nal);
        start_codes |= HasStartCode(nal);
        out_nal_bytes += nal.size();
      }
      Check(au->keyframe == keyframe);
      if (au->params) Check(au->params->codec == codec);
      if (!start_codes) CheckRoundTrip(codec, *au, max_payload, aggregate);
    }
    Check(out_nal_bytes <= pushed_bytes);
    Check(d->stats().units_out == popped);
  };

  while (in.remaining_bytes() > 0) {
    const uint8_t flags = in.ConsumeIntegral<uint8_t>();
    size_t length = in.ConsumeIntegral<uint8_t>();
    if (flags & 0x80) length *= 64;  // room for FU sequences that reach real frame sizes
    payload = in.ConsumeBytes<uint8_t>(length);
    if (flags & 0x04) d->OnLoss();
    if (flags & 0x02) timestamp += 3000;
    RtpPacket packet;
    packet.timestamp = timestamp;
    packet.marker = (flags & 0x01) != 0;
    packet.payload = payload;
    pushed_bytes += payload.size();
    d->Push(packet).IgnoreError();
    drain();
    if (flags & 0x08) {
      d->Flush();
      drain();
    }
  }
  d->Flush();
  drain();
  return 0;
}

}  // namespace sightline::rtsp::fuzz
