#include "rtsp/stream_receiver.h"

namespace sightline::rtsp {
namespace {
// A packet more than this far behind the expected sequence number is not a reordered packet
// but a sender that restarted its numbering (RFC 3550 appendix A.1 uses the same idea).
constexpr int kMaxMisorder = 100;
}  // namespace

StreamReceiver::StreamReceiver(const Config& config)
    : codec_(config.codec),
      payload_type_(config.payload_type),
      depacketizer_(Depacketizer::Create(config.codec)),
      wall_clock_(config.wall_clock) {
  if (!config.fmtp.empty()) sdp_params_status_ = depacketizer_->SetSdpParameterSets(config.fmtp);
}

bool StreamReceiver::AcceptSequence(const RtpPacket& p) {
  if (have_sequence_ && p.ssrc != ssrc_) {
    // A new SSRC is a new source (camera restarted its encoder): treat as a discontinuity.
    ++stats_.sequence_restarts;
    have_sequence_ = false;
    depacketizer_->OnLoss();
  }
  if (!have_sequence_) {
    have_sequence_ = true;
    ssrc_ = p.ssrc;
    next_sequence_ = static_cast<uint16_t>(p.sequence + 1);
    return true;
  }
  const int16_t delta = static_cast<int16_t>(p.sequence - next_sequence_);
  if (delta == 0) {
    ++next_sequence_;
    return true;
  }
  if (delta > 0) {
    stats_.packets_lost += static_cast<uint64_t>(delta);
    ++stats_.loss_events;
    depacketizer_->OnLoss();
    next_sequence_ = static_cast<uint16_t>(p.sequence + 1);
    return true;
  }
  if (delta < -kMaxMisorder) {
    ++stats_.sequence_restarts;
    depacketizer_->OnLoss();
    next_sequence_ = static_cast<uint16_t>(p.sequence + 1);
    return true;
  }
  ++stats_.packets_late;  // duplicate, or reordered after we declared it lost
  return false;
}

Status StreamReceiver::OnRtp(ByteSpan packet, MonoTime arrival, WallTime arrival_wall,
                             std::vector<media::FramePtr>& out) {
  Result<RtpPacket> parsed = ParseRtpPacket(packet);
  if (!parsed.ok()) {
    ++stats_.malformed_packets;
    return std::move(parsed).status().WithContext("RTP");
  }
  const RtpPacket& p = *parsed;
  if (p.payload_type != payload_type_) {
    ++stats_.packets_ignored;
    return Status();
  }
  ++stats_.packets;
  if (!AcceptSequence(p)) return Status();
  Status st = depacketizer_->Push(p);
  Drain(arrival, arrival_wall, out);
  return st;
}

void StreamReceiver::Drain(MonoTime arrival, WallTime arrival_wall,
                           std::vector<media::FramePtr>& out) {
  while (std::optional<AccessUnit> au = depacketizer_->Pop()) {
    auto frame = std::make_shared<media::Frame>();
    frame->codec = codec_;
    frame->pts = unwrapper_.Unwrap(au->rtp_timestamp);
    frame->wall_time = wall_clock_.WallTimeFor(frame->pts, arrival_wall);
    stats_.wall_clock_reanchors = wall_clock_.reanchors();
    frame->arrival = arrival;
    frame->keyframe = au->keyframe;
    // A new receiver means a new RTSP session: whatever came before it is a gap.
    frame->after_loss = au->after_loss || stats_.frames == 0;
    frame->data = std::move(au->data);
    frame->params = std::move(au->params);
    ++stats_.frames;
    stats_.keyframes += frame->keyframe ? 1 : 0;
    stats_.frame_bytes += frame->data.size();
    out.push_back(std::move(frame));
  }
}

Status StreamReceiver::OnRtcp(ByteSpan packet, WallTime arrival_wall) {
  Result<std::optional<SenderReport>> sr = ParseRtcpCompound(packet);
  if (!sr.ok()) {
    ++stats_.malformed_packets;
    return std::move(sr).status().WithContext("RTCP");
  }
  if (sr->has_value()) {
    ++stats_.sender_reports;
    const SenderReport& r = **sr;
    wall_clock_.OnSenderReport(r.ntp_timestamp, unwrapper_.Unwrap(r.rtp_timestamp), arrival_wall);
    stats_.sender_reports_rejected = wall_clock_.rejected_sender_reports();
  }
  return Status();
}

}  // namespace sightline::rtsp
