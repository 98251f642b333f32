#pragma once
// Depacketizers: RTP payloads to access units, for H.264 (RFC 6184: single NAL unit, STAP-A,
// FU-A) and H.265 (RFC 7798: single, AP, FU). Pure; one instance per stream; not thread-safe.
//
// Output is one AccessUnit per picture with its NAL units in length-prefixed form (see
// media/frame.h). Access-unit boundaries: a change of RTP timestamp always ends the current
// unit; the marker bit ends it early (for latency) until the stream shows its marker is
// unreliable (a packet with the same timestamp after a marked one), after which only the
// timestamp is trusted. See docs/design/rtsp.md for every camera quirk handled here.
//
// Loss: the caller reports a sequence gap with OnLoss(). The partial unit is discarded and
// every unit until the next keyframe is dropped (it would reference missing data); both are
// counted in stats().

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"
#include "rtsp/rtp.h"

namespace sightline::rtsp {

struct AccessUnit {
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;
  bool after_loss = false;  // first unit delivered after OnLoss()
  Bytes data;               // length-prefixed NAL units
  // Parameter sets in force for this unit (from sprop-* or in band); null until known.
  std::shared_ptr<const media::StreamParams> params;
};

struct DepacketizerStats {
  uint64_t units_out = 0;
  uint64_t units_dropped = 0;      // discarded after loss, or malformed
  uint64_t malformed_packets = 0;  // payloads that could not be parsed (counted, skipped)
  uint64_t marker_unreliable = 0;  // 1 once the stream's marker bit was found wrong
  uint64_t params_changes = 0;     // parameter-set changes after the first
};

class Depacketizer {
 public:
  static std::unique_ptr<Depacketizer> Create(media::Codec codec);
  virtual ~Depacketizer() = default;

  // Parameter sets from the SDP fmtp line ("sprop-parameter-sets" for H.264; "sprop-vps",
  // "sprop-sps", "sprop-pps" for H.265), base64. Bad or missing values are not an error for
  // the stream (cameras get them wrong): the returned Status says what was wrong, and in-band
  // parameter sets are used instead.
  virtual Status SetSdpParameterSets(const std::map<std::string, std::string>& fmtp) = 0;

  // Feeds one packet, in sequence order. A malformed payload is counted, returned as an
  // error for logging, and leaves the depacketizer usable.
  virtual Status Push(const RtpPacket& packet) = 0;
  // Reports that packets were lost before the next Push().
  virtual void OnLoss() = 0;
  // Takes the next complete access unit, if any.
  virtual std::optional<AccessUnit> Pop() = 0;
  // Ends the current unit (e.g. at end of stream) so Pop() returns it.
  virtual void Flush() = 0;

  virtual const DepacketizerStats& stats() const = 0;
};

}  // namespace sightline::rtsp
