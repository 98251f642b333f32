#pragma once
// StreamReceiver: the receive pipeline of one RTP video stream, without sockets. It tracks
// sequence numbers (loss, duplicates, reordering, a sender restart), depacketizes, unwraps
// timestamps, maps them to wall time, and turns access units into Frames. The Asio client feeds
// it; tests feed it packets directly. Not thread-safe: one per stream, used on one strand.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "media/frame.h"
#include "rtsp/depacketizer.h"
#include "rtsp/timeline.h"

namespace sightline::rtsp {

struct ReceiverStats {
  uint64_t packets = 0;
  uint64_t packets_lost = 0;      // missing sequence numbers
  uint64_t loss_events = 0;       // gaps (each may lose several packets)
  uint64_t packets_late = 0;      // duplicates or reordered too late; dropped
  uint64_t packets_ignored = 0;   // other payload type
  uint64_t sequence_restarts = 0; // sender jumped its sequence far back or changed SSRC
  uint64_t malformed_packets = 0; // unparsable RTP or RTCP
  uint64_t frames = 0;
  uint64_t keyframes = 0;
  uint64_t frame_bytes = 0;
  uint64_t sender_reports = 0;
  // From the wall-clock mapping (docs/design/time.md): SRs whose clock was too far from ours,
  // and re-anchors of the timeline (timestamp jumps, long stalls).
  uint64_t sender_reports_rejected = 0;
  uint64_t wall_clock_reanchors = 0;
};

class StreamReceiver {
 public:
  struct Config {
    media::Codec codec = media::Codec::kH264;
    int payload_type = 96;  // from the SDP; packets with another type are ignored
    std::map<std::string, std::string> fmtp;  // for sprop parameter sets
    WallClockMapper::Options wall_clock;
  };

  // The Status returned by SetSdpParameterSets is kept in sdp_params_status() for logging;
  // a bad SDP never prevents receiving (in-band parameter sets are used instead).
  explicit StreamReceiver(const Config& config);

  // One RTP packet as received. Completed frames are appended to `out`. A non-OK Status
  // describes a malformed packet (counted; the stream goes on).
  Status OnRtp(ByteSpan packet, MonoTime arrival, WallTime arrival_wall,
               std::vector<media::FramePtr>& out);
  // One RTCP compound packet; a sender report feeds the wall-clock mapping.
  Status OnRtcp(ByteSpan packet, WallTime arrival_wall);

  const ReceiverStats& stats() const { return stats_; }
  const DepacketizerStats& depacketizer_stats() const { return depacketizer_->stats(); }
  const Status& sdp_params_status() const { return sdp_params_status_; }
  const WallClockMapper& wall_clock() const { return wall_clock_; }

 private:
  // Sequence bookkeeping; returns false if the packet must be dropped.
  bool AcceptSequence(const RtpPacket& p);
  void Drain(MonoTime arrival, WallTime arrival_wall, std::vector<media::FramePtr>& out);

  media::Codec codec_;
  int payload_type_;
  std::unique_ptr<Depacketizer> depacketizer_;
  TimestampUnwrapper unwrapper_;
  WallClockMapper wall_clock_;
  Status sdp_params_status_;
  bool have_sequence_ = false;
  uint16_t next_sequence_ = 0;
  uint32_t ssrc_ = 0;
  ReceiverStats stats_;
};

}  // namespace sightline::rtsp
