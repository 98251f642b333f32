#include "tools/camsim/streamer.h"

#include <algorithm>
#include <cmath>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/clock.h"
#include "base/logging.h"
#include "rtsp/rtp.h"
#include "rtsp/timeline.h"
#include "tools/camsim/sdp_writer.h"

namespace sightline::camsim {
namespace {

namespace asio = boost::asio;
using std::chrono::nanoseconds;

constexpr int64_t kTsJump90k = 10 * 90000;  // fault tsjump: +10 s per jump
constexpr uint8_t kStrayChannel = 7;

// RFC 6184 section 5.2 / RFC 7798 section 4.4.1: payload types below 24 (H.264) or 48 (H.265)
// are single NAL unit packets; above are aggregation and fragmentation units.
bool IsSingleNalPacket(media::Codec codec, ByteSpan payload) {
  if (payload.empty()) return false;
  if (codec == media::Codec::kH264) {
    const int type = payload[0] & 0x1f;
    return type >= 1 && type <= 23;
  }
  return ((payload[0] >> 1) & 0x3f) < 48;
}

}  // namespace

void Streamer::Cursor::Advance() {
  if (++index == clip->frames().size()) {
    index = 0;
    base += clip->duration().ticks();
  }
}

Streamer::Streamer(asio::any_io_executor executor, const Params& params, PacketSink& sink,
                   SteadyTime now)
    : p_(params), sink_(sink), timer_(executor), rng_(params.seed), seq_(params.initial_seq) {
  const Clip& clip = *p_.camera->clip;
  const double elapsed_s = std::chrono::duration<double>(now - p_.server_start).count();
  const int64_t live =
      static_cast<int64_t>(elapsed_s * p_.speed * 90000.0) + p_.camera->phase.ticks();
  cursor_.clip = &clip;
  cursor_.index = clip.KeyframeAtOrBefore(media::Time90k(live));
  cursor_.base = 0;
  // The session's clock: its first frame (that keyframe) is due now, the rest follow their
  // dts at --speed. The session shows the clip from that keyframe on, so it runs behind the
  // camera's live position by up to a GOP.
  anchor_time_ = now;
  clock_ = SessionClock{p_.clock->WallNow(), cursor_.frame().dts};
  anchor_dts_ = cursor_.dts();
  first_pts_ = cursor_.pts();
}

SteadyTime Streamer::DueTime(int64_t stream_dts) const {
  const double s = static_cast<double>(stream_dts - anchor_dts_) / (90000.0 * p_.speed);
  return anchor_time_ + std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(s));
}

int64_t Streamer::StreamTimeAt(SteadyTime t) const {
  const double s = std::chrono::duration<double>(t - anchor_time_).count();
  return anchor_dts_ + static_cast<int64_t>(s * p_.speed * 90000.0);
}

uint32_t Streamer::RtpTimestamp(int64_t stream_pts) const {
  return p_.initial_rtptime + static_cast<uint32_t>(stream_pts - first_pts_ + ts_jump_);
}

SteadyTime Streamer::After(SteadyTime now, double seconds) const {
  return now + std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(seconds));
}

uint64_t Streamer::SkipToKeyframeDueAfter(SteadyTime t) {
  uint64_t skipped = 0;
  do {
    cursor_.Advance();
    ++skipped;
  } while (!cursor_.frame().keyframe || DueTime(cursor_.dts()) < t);
  return skipped;
}

// Fault spschange: continue with the other file at its keyframe nearest the same moment, on
// the same timeline, so only the in-band parameter sets (and the picture size) change.
void Streamer::SwitchClip() {
  const Clip* other =
      cursor_.clip == p_.camera->clip.get() ? p_.camera->alt.get() : p_.camera->clip.get();
  const int64_t stream_dts = cursor_.dts();
  const size_t index = other->KeyframeAtOrBefore(cursor_.frame().dts);
  cursor_.clip = other;
  cursor_.index = index;
  cursor_.base = stream_dts - other->frames()[index].dts.ticks();
}

void Streamer::BuildPackets() {
  const ClipFrame& f = cursor_.frame();
  const Clip& clip = *cursor_.clip;
  const Quirks& q = p_.camera->spec.quirks;
  const uint32_t ts = RtpTimestamp(cursor_.pts());
  if (slots_.size() < f.packet_count * kSlotSize) slots_.resize(f.packet_count * kSlotSize);
  batch_.clear();
  for (uint32_t i = 0; i < f.packet_count; ++i) {
    const uint32_t index = f.first_packet + i;
    const uint16_t seq = seq_++;
    if (pending_gap_ > 0) {  // fault gap: the packet is "lost", its number is used up
      --pending_gap_;
      continue;
    }
    const ClipPacket& cp = clip.packet(index);
    const ByteSpan payload = clip.payload(index);
    const bool marker = q.marker_never ? false : q.marker_always ? true : cp.marker;
    uint8_t* slot = &slots_[i * kSlotSize];
    uint8_t* h = slot + kSlotPrefix;
    // RFC 3550 section 5.1: V=2, no padding, extension or CSRCs.
    h[0] = 0x80;
    h[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | kPayloadType);
    StoreBe16(h + 2, seq);
    StoreBe32(h + 4, ts);
    StoreBe32(h + 8, p_.ssrc);
    uint8_t header_size = 12;
    if (q.annexb_in_rtp && IsSingleNalPacket(clip.codec(), payload)) {
      // Quirk seen on some cameras: an Annex B start code inside a single NAL unit packet.
      h[12] = 0, h[13] = 0, h[14] = 0, h[15] = 1;
      header_size = 16;
    }
    batch_.push_back(OutPacket{slot, header_size, payload});
  }
}

// RFC 3550 section 6.4.1: the SR's RTP timestamp is the media clock at the instant of its
// NTP timestamp. Here that is the pts of a frame due now (its dts on the session's clock, plus
// the first frame's decoding-to-presentation offset): the SR says when each frame is sent.
asio::awaitable<bool> Streamer::SendSenderReport() {
  rtsp::SenderReport sr;
  sr.ssrc = p_.ssrc;
  const WallTime wall = p_.clock->WallNow() + p_.camera->spec.clock_offset;
  const auto now = std::chrono::steady_clock::now();
  sr.ntp_timestamp = rtsp::WallTimeToNtp(wall);
  sr.rtp_timestamp = RtpTimestamp(StreamTimeAt(now) - anchor_dts_ + first_pts_);
  sr.packet_count = packets_;
  sr.octet_count = octets_;
  scratch_.clear();
  rtsp::WriteRtcpSenderReport(sr, scratch_);
  co_return co_await sink_.SendRtcp(scratch_);
}

void Streamer::Stop() {
  stopped_ = true;
  timer_.cancel();
}

asio::awaitable<void> Streamer::Run() {
  const Faults& f = p_.camera->spec.faults;
  const Quirks& q = p_.camera->spec.quirks;
  CameraCounters& counters = p_.camera->counters;
  const auto start = std::chrono::steady_clock::now();
  const SteadyTime never = SteadyTime::max();
  auto first = [&](double every_s) { return every_s > 0 ? After(start, every_s) : never; };
  // Quirk no-sr: a camera that sends no sender reports (clients stamp by arrival).
  SteadyTime next_sr = q.no_sr ? never : start;
  SteadyTime next_drop = first(f.drop_every_s);
  SteadyTime next_stall = first(f.stall_every_s);
  SteadyTime next_garbage = first(f.garbage_every_s);
  SteadyTime next_gap = first(f.gap_every_s);
  SteadyTime next_jump = first(f.tsjump_every_s);
  SteadyTime next_switch = first(f.spschange_every_s);
  SteadyTime next_stray = q.stray_channel ? After(start, 1.0) : never;
  std::uniform_int_distribution<int> garbage_size(100, 2000);
  std::uniform_int_distribution<int> garbage_byte(0, 254);
  std::uniform_int_distribution<int> gap_size(1, 5);

  while (!stopped_) {
    const SteadyTime due = DueTime(cursor_.dts());
    if (std::chrono::steady_clock::now() < due) {
      timer_.expires_at(due);
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (stopped_) break;
    }
    const SteadyTime now = std::chrono::steady_clock::now();
    if (now >= next_drop) {
      Bump(counters.faults_injected);
      SL_LOG(kInfo) << "camera=" << p_.camera->spec.name << " fault=drop closing connection";
      sink_.Close();
      break;
    }
    if (now >= next_stall) {
      Bump(counters.faults_injected);
      next_stall = After(now, f.stall_every_s);
      SkipToKeyframeDueAfter(After(now, f.stall_s));
      continue;
    }
    if (now >= next_sr) {
      next_sr = now + p_.rtcp_interval;
      if (!co_await SendSenderReport()) break;
    }
    if (now >= next_garbage) {
      Bump(counters.faults_injected);
      next_garbage = After(now, f.garbage_every_s);
      // No '$' in the garbage: a client resynchronises at the next '$' (RFC 2326 10.12), and
      // a '$' inside random bytes could not be told apart from a real frame header.
      scratch_.resize(static_cast<size_t>(garbage_size(rng_)));
      for (uint8_t& b : scratch_) {
        const int v = garbage_byte(rng_);
        b = static_cast<uint8_t>(v >= '$' ? v + 1 : v);
      }
      if (!co_await sink_.SendGarbage(scratch_)) break;
    }
    if (now >= next_stray) {
      next_stray = After(now, 1.0);
      scratch_.assign(32, 0);
      scratch_[0] = 0x80;
      scratch_[1] = 97;
      for (size_t i = 2; i < scratch_.size(); ++i) scratch_[i] = static_cast<uint8_t>(rng_());
      if (!co_await sink_.SendStray(kStrayChannel, scratch_)) break;
    }
    if (now >= next_jump) {
      Bump(counters.faults_injected);
      next_jump = After(now, f.tsjump_every_s);
      ts_jump_ += kTsJump90k;
    }
    if (now >= next_gap) {
      Bump(counters.faults_injected);
      next_gap = After(now, f.gap_every_s);
      pending_gap_ += gap_size(rng_);
    }
    if (now >= next_switch) {
      next_switch = After(now, f.spschange_every_s);
      pending_switch_ = true;
    }
    if (pending_switch_ && cursor_.frame().keyframe) {
      Bump(counters.faults_injected);
      pending_switch_ = false;
      SwitchClip();
    }

    BuildPackets();
    if (!batch_.empty()) {
      if (!co_await sink_.SendRtp(batch_)) break;
      uint64_t bytes = 0;
      for (const OutPacket& op : batch_) bytes += op.header_size + op.payload.size();
      packets_ += static_cast<uint32_t>(batch_.size());
      octets_ += static_cast<uint32_t>(bytes);
      Bump(counters.packets_sent, batch_.size());
      Bump(counters.bytes_sent, bytes);
    }
    Bump(counters.frames_sent);
    cursor_.Advance();

    const SteadyTime after = std::chrono::steady_clock::now();
    if (after - DueTime(cursor_.dts()) > p_.max_lag) {
      const uint64_t skipped = SkipToKeyframeDueAfter(after);
      Bump(counters.frames_skipped, skipped);
      SL_LOG(kDebug) << "camera=" << p_.camera->spec.name << " slow reader: skipped " << skipped
                     << " frames to the next keyframe";
    }
  }
}

}  // namespace sightline::camsim
