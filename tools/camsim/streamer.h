#pragma once
// Streamer: the sending side of one PLAYing session. It walks the camera's clip in a loop,
// paced by the clip's timestamps (divided by --speed), writes per-session RTP headers in
// front of the clip's shared payloads, sends an RTCP sender report every few seconds, and
// injects the camera's faults and quirks. One coroutine and one timer per session.
//
// Runs on the server's io_context thread only. The PacketSink must outlive Run().

#include <chrono>
#include <cstdint>
#include <random>
#include <span>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/bytes.h"
#include "base/clock.h"
#include "media/time.h"
#include "tools/camsim/camera.h"

namespace sightline::camsim {

using SteadyTime = std::chrono::steady_clock::time_point;

// One RTP packet to send. `slot` has kSlotPrefix bytes the sink may fill (the interleaved
// '$' header, RFC 2326 section 10.12), followed by `header_size` bytes of RTP header.
struct OutPacket {
  uint8_t* slot = nullptr;
  uint8_t header_size = 0;
  ByteSpan payload;  // shared clip bytes
};
inline constexpr size_t kSlotPrefix = 4;
inline constexpr size_t kSlotSize = 24;

// Where a session's packets go: the RTSP connection (interleaved) or UDP sockets. Each call
// returns false once the peer is gone, which ends the stream.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // One frame's packets, ideally in one write.
  virtual boost::asio::awaitable<bool> SendRtp(std::span<OutPacket> packets) = 0;
  virtual boost::asio::awaitable<bool> SendRtcp(ByteSpan packet) = 0;
  // Bytes that are not RTSP, RTP or interleaved frames (fault garbage=N).
  virtual boost::asio::awaitable<bool> SendGarbage(ByteSpan bytes) = 0;
  // An interleaved frame on a channel the client did not set up (quirk stray-channel).
  virtual boost::asio::awaitable<bool> SendStray(uint8_t channel, ByteSpan data) = 0;
  // Closes the connection (fault drop=N).
  virtual void Close() = 0;
};

class Streamer {
 public:
  struct Params {
    Camera* camera = nullptr;  // counters are updated
    const Clock* clock = nullptr;  // the camera's wall clock (not null)
    double speed = 1.0;
    std::chrono::milliseconds rtcp_interval{5000};
    // A session this far behind its schedule (the client reads too slowly) skips to the
    // next keyframe, as a camera's encoder drops frames it cannot send.
    std::chrono::milliseconds max_lag{1000};
    SteadyTime server_start;
    uint32_t ssrc = 0;
    uint16_t initial_seq = 0;
    uint32_t initial_rtptime = 0;
    uint64_t seed = 0;
  };

  // Positions the stream at the latest keyframe of the camera's live position at `now`, due
  // at `now`.
  Streamer(boost::asio::any_io_executor executor, const Params& params, PacketSink& sink,
           SteadyTime now);

  // When the session's frames are sent.
  const SessionClock& clock() const { return clock_; }
  // The sequence number and RTP timestamp of the first packet (RTP-Info, RFC 2326 12.33).
  uint16_t initial_seq() const { return p_.initial_seq; }
  uint32_t initial_rtptime() const { return p_.initial_rtptime; }

  // Sends one RTCP sender report now.
  boost::asio::awaitable<bool> SendSenderReport();
  // Streams until Stop(), a drop fault, or the sink failing.
  boost::asio::awaitable<void> Run();
  void Stop();

 private:
  struct Cursor {
    const Clip* clip = nullptr;
    size_t index = 0;
    int64_t base = 0;  // stream time of the clip's origin in the current loop, 90 kHz
    const ClipFrame& frame() const { return clip->frames()[index]; }
    int64_t dts() const { return base + frame().dts.ticks(); }
    int64_t pts() const { return base + frame().pts.ticks(); }
    void Advance();
  };

  SteadyTime DueTime(int64_t stream_dts) const;
  int64_t StreamTimeAt(SteadyTime t) const;
  uint32_t RtpTimestamp(int64_t stream_pts) const;
  // Skips frames until a keyframe that is due at or after `t`; returns how many.
  uint64_t SkipToKeyframeDueAfter(SteadyTime t);
  void SwitchClip();
  void BuildPackets();
  SteadyTime After(SteadyTime now, double seconds) const;

  Params p_;
  PacketSink& sink_;
  boost::asio::steady_timer timer_;
  std::mt19937_64 rng_;
  bool stopped_ = false;

  Cursor cursor_;
  SteadyTime anchor_time_;  // the session's clock: stream dts anchor_dts_ is due then
  SessionClock clock_;      // the same, as wall time and clip time
  int64_t anchor_dts_ = 0;
  int64_t first_pts_ = 0;
  int64_t ts_jump_ = 0;
  uint16_t seq_ = 0;
  uint32_t packets_ = 0;  // RTCP SR counts (RFC 3550 section 6.4.1)
  uint32_t octets_ = 0;
  int pending_gap_ = 0;
  bool pending_switch_ = false;

  std::vector<uint8_t> slots_;
  std::vector<OutPacket> batch_;
  Bytes scratch_;
};

}  // namespace sightline::camsim
