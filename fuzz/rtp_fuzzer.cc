// Fuzzes RTP and RTCP parsing, and the timestamp unwrapper and wall-clock mapper fed from what
// was parsed. Checks: payload spans lie inside the packet; a parsed packet or sender report
// written back parses to the same values; unwrapped timestamps move by at most 2^31.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "rtsp/rtp.h"
#include "rtsp/timeline.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sightline;
  using namespace sightline::rtsp;
  const ByteSpan packet(data, size);

  auto rtp = ParseRtpPacket(packet);
  if (rtp.ok()) {
    const RtpPacket& p = *rtp;
    Check(p.payload.data() >= data && p.payload.data() + p.payload.size() <= data + size);
    Check(p.payload.size() + 12 <= size);
    Bytes out;
    WriteRtpPacket(p.payload_type, p.marker, p.sequence, p.timestamp, p.ssrc, p.payload, out);
    auto back = ParseRtpPacket(out);
    Check(back.ok());
    Check(back->payload_type == p.payload_type && back->marker == p.marker &&
          back->sequence == p.sequence && back->timestamp == p.timestamp &&
          back->ssrc == p.ssrc && back->payload.size() == p.payload.size());
  }

  auto rtcp = ParseRtcpCompound(packet);
  if (rtcp.ok() && rtcp->has_value()) {
    const SenderReport& sr = **rtcp;
    Bytes out;
    WriteRtcpSenderReport(sr, out);
    auto back = ParseRtcpCompound(out);
    Check(back.ok() && back->has_value());
    Check((*back)->ssrc == sr.ssrc && (*back)->ntp_timestamp == sr.ntp_timestamp &&
          (*back)->rtp_timestamp == sr.rtp_timestamp);
    // A timeline fed with this SR and with every 32-bit word of the input as a timestamp.
    TimestampUnwrapper unwrap;
    WallClockMapper mapper;
    const WallTime now{std::chrono::seconds(1'700'000'000)};
    mapper.OnSenderReport(sr.ntp_timestamp, unwrap.Unwrap(sr.rtp_timestamp), now);
    int64_t last = unwrap.Unwrap(sr.rtp_timestamp).ticks();
    for (size_t i = 0; i + 4 <= size; i += 4) {
      const int64_t t = unwrap.Unwrap(LoadBe32(data + i)).ticks();
      Check(t - last <= (int64_t{1} << 31) && last - t <= (int64_t{1} << 31));
      last = t;
      mapper.WallTimeFor(media::Time90k(t), now + std::chrono::milliseconds(i));
    }
    Check(NtpToWallTime(WallTimeToNtp(now)) == now);
  }
  return 0;
}
