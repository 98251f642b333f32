#include "rtsp/nal_depacketizer.h"

#include <algorithm>
#include <utility>

#include "media/nal.h"
#include "media/stream_params.h"
#include "rtsp/base64.h"

namespace sightline::rtsp {
namespace {

constexpr size_t kNotFound = static_cast<size_t>(-1);

// Returns the offset of the first 00 00 01 at or after `from`, or kNotFound. A valid NAL unit
// never contains one (emulation prevention, H.264 7.4.1 / H.265 7.4.2), so finding one means
// the camera put Annex B framing into the payload.
size_t FindStartCode(ByteSpan data, size_t from) {
  const uint8_t* p = data.data();
  const size_t n = data.size();
  size_t i = from + 2;
  while (i < n) {
    // p[i] > 1 rules out a start code ending at i, i + 1 or i + 2.
    if (p[i] > 1) {
      i += 3;
    } else if (p[i] == 1) {
      if (p[i - 1] == 0 && p[i - 2] == 0) return i - 2;
      i += 3;
    } else {
      ++i;
    }
  }
  return kNotFound;
}

// Drops the zero bytes a byte stream may carry before a start code (the 4-byte start code's
// zero_byte, trailing_zero_8bits; H.264 B.1.1): a NAL unit never ends in 0x00.
ByteSpan TrimTrailingZeros(ByteSpan nal) {
  size_t n = nal.size();
  while (n > 0 && nal[n - 1] == 0) --n;
  return nal.first(n);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Cat(std::string_view a, std::string_view b) {
  std::string s(a);
  s += ": ";
  s += b;
  return s;
}

}  // namespace

NalDepacketizer::NalDepacketizer(media::Codec codec) : codec_(codec) {}

Status NalDepacketizer::Push(const RtpPacket& packet) {
  const uint32_t ts = packet.timestamp;
  if (discard_timestamp_) {
    if (*discard_timestamp_ == ts) return Status();
    discard_timestamp_.reset();
  }
  // A new timestamp always starts a new picture (RFC 6184 section 5.1, RFC 7798 section
  // 4.1: all packets of an access unit carry the same timestamp).
  Status boundary_status;
  if (unit_open_ && ts != unit_timestamp_) boundary_status = FinishUnit(false);
  if (!unit_open_) {
    if (marker_reliable_ && last_ended_by_marker_ && ts == last_timestamp_) {
      // Quirk: the camera set the marker before the end of the picture (some set it on every
      // packet of a multi-slice picture). The unit already delivered was only part of the
      // picture; the rest of it is dropped and we resynchronise at the next keyframe, as
      // after a loss. From now on only timestamp changes end units.
      marker_reliable_ = false;
      stats_.marker_unreliable = 1;
      ++stats_.units_dropped;
      discard_timestamp_ = ts;
      EnterLoss();
      return boundary_status;
    }
    unit_open_ = true;
    unit_timestamp_ = ts;
  }
  Status st;
  if (!unit_oversized_) {
    st = ParsePayload(packet.payload);
    if (!st.ok()) ++stats_.malformed_packets;
  }
  // The marker ends the unit without waiting for the next timestamp (RFC 6184 section 5.1),
  // saving a frame interval of latency while the camera sets it correctly.
  if (packet.marker && marker_reliable_) {
    Status finish = FinishUnit(true);
    if (st.ok()) st = std::move(finish);
  }
  if (st.ok()) st = std::move(boundary_status);
  return st;
}

void NalDepacketizer::OnLoss() {
  if (unit_open_) {
    // The rest of this picture may still arrive; it is useless without the lost part.
    ++stats_.units_dropped;
    discard_timestamp_ = unit_timestamp_;
    unit_open_ = false;
  }
  unit_.clear();
  unit_keyframe_ = false;
  unit_oversized_ = false;
  fragment_open_ = false;
  EnterLoss();
}

std::optional<AccessUnit> NalDepacketizer::Pop() {
  if (ready_head_ == ready_.size()) return std::nullopt;
  AccessUnit au = std::move(ready_[ready_head_++]);
  if (ready_head_ == ready_.size()) {
    ready_.clear();
    ready_head_ = 0;
  }
  return au;
}

void NalDepacketizer::Flush() {
  // Errors are already counted in stats(); there is no caller to report them to.
  FinishUnit(false).IgnoreError();
}

void NalDepacketizer::EnterLoss() {
  waiting_for_keyframe_ = true;
  after_loss_pending_ = true;
}

Status NalDepacketizer::FinishUnit(bool by_marker) {
  if (!unit_open_) return Status();
  unit_open_ = false;
  last_ended_by_marker_ = by_marker;
  last_timestamp_ = unit_timestamp_;

  Status st;
  if (fragment_open_) {
    ++stats_.malformed_packets;
    st = AbandonFragment("access unit", "ended inside a fragmented NAL unit (no end fragment)");
  }
  Status params_status = RefreshParams();
  if (st.ok()) st = std::move(params_status);

  const bool keyframe = unit_keyframe_;
  unit_keyframe_ = false;
  if (unit_oversized_) {
    // What follows would reference the missing picture.
    unit_oversized_ = false;
    ++stats_.units_dropped;
    EnterLoss();
    return st;
  }
  if (unit_.empty()) return st;  // only malformed payloads; already counted
  if (waiting_for_keyframe_ && !keyframe) {
    ++stats_.units_dropped;
    unit_.clear();
    return st;
  }
  if (ready_.size() - ready_head_ >= kMaxReadyUnits) {
    ++stats_.units_dropped;
    unit_.clear();
    EnterLoss();
    return st;
  }
  AccessUnit& au = ready_.emplace_back();
  au.rtp_timestamp = unit_timestamp_;
  au.keyframe = keyframe;
  au.after_loss = after_loss_pending_;
  au.params = params_;
  if (!keyframe) size_hint_ = unit_.size() + unit_.size() / 8;
  au.data = std::move(unit_);
  // The next unit gets a buffer about the size of the last delta picture, so it is
  // allocated once per unit (it becomes the Frame's data) and rarely grows.
  unit_ = Bytes();
  unit_.reserve(size_hint_);
  after_loss_pending_ = false;
  waiting_for_keyframe_ = false;
  ++stats_.units_out;
  return st;
}

Status NalDepacketizer::CheckNal(ByteSpan nal, std::string_view what) const {
  if (nal.size() < nal_header_bytes()) {
    return InvalidArgumentError(Cat(what, "NAL unit of " + std::to_string(nal.size()) +
                                              " byte(s) is shorter than its header"));
  }
  int type;
  bool allowed;
  if (codec_ == media::Codec::kH264) {
    // RFC 6184 Table 1: 1..23 are NAL unit types; 0 and 30..31 are undefined and 24..29
    // are packet types, none of which may appear inside an access unit.
    type = media::H264NalType(nal[0]);
    allowed = type >= 1 && type <= 23;
  } else {
    // RFC 7798 section 4.4: 48..63 are packet types (AP, FU, PACI, reserved).
    type = media::H265NalType(nal[0]);
    allowed = type <= 47;
  }
  if (allowed) return Status();
  return InvalidArgumentError(
      Cat(what, "NAL unit type " + std::to_string(type) + " cannot appear in an access unit"));
}

Status NalDepacketizer::AddNals(ByteSpan data, std::string_view what) {
  size_t start_code = FindStartCode(data, 0);
  if (start_code == kNotFound) return AddNal(data, what);
  Status first_error;
  auto add = [&](ByteSpan nal) {
    nal = TrimTrailingZeros(nal);
    if (nal.empty()) return;
    Status st = AddNal(nal, what);
    if (first_error.ok()) first_error = std::move(st);
  };
  add(data.first(start_code));
  while (start_code != kNotFound) {
    const size_t begin = start_code + 3;
    start_code = FindStartCode(data, begin);
    add(data.subspan(begin, (start_code == kNotFound ? data.size() : start_code) - begin));
  }
  return first_error;
}

Status NalDepacketizer::AddNal(ByteSpan nal, std::string_view what) {
  if (unit_oversized_) return Status();
  Status st;
  if (fragment_open_) {
    st = AbandonFragment(what, "complete NAL unit while a fragmented one was incomplete");
  }
  Status check = CheckNal(nal, what);
  if (!check.ok()) return st.ok() ? check : st;
  if (unit_.size() + 4 + nal.size() > kMaxAccessUnitBytes) return Overflow(what);
  AppendBe32(unit_, static_cast<uint32_t>(nal.size()));
  AppendBytes(unit_, nal);
  OnNalComplete(nal);
  return st;
}

Status NalDepacketizer::AddAggregate(ByteSpan units, size_t header_bytes,
                                     std::string_view what) {
  ByteReader r(units);
  Status first_error;
  int index = 0;
  while (r.remaining() > 0) {
    const size_t offset = header_bytes + r.position();
    uint16_t size = 0;
    ByteSpan nal;
    std::string problem;
    if (!r.ReadBe16(&size)) {
      problem = "1 stray byte";
    } else if (size == 0) {
      problem = "zero size";
    } else if (!r.ReadSpan(size, &nal)) {
      problem = "size " + std::to_string(size) + " overruns the packet (" +
                std::to_string(units.size() + header_bytes - offset - 2) + " bytes left)";
    }
    if (!problem.empty()) {
      // The framing is lost from here on; the units before stay (docs/design/rtsp.md).
      return InvalidArgumentError(Cat(what, "unit " + std::to_string(index + 1) +
                                                " at offset " + std::to_string(offset) +
                                                ": " + problem + "; rest of packet dropped"));
    }
    Status st = AddNals(nal, what);
    if (first_error.ok()) first_error = std::move(st);
    ++index;
  }
  if (index == 0) return InvalidArgumentError(Cat(what, "no aggregated units"));
  return first_error;
}

Status NalDepacketizer::AddFragment(ByteSpan nal_header, bool start, bool end, ByteSpan data,
                                    std::string_view what) {
  if (unit_oversized_) return Status();
  Status st;
  const int type = codec_ == media::Codec::kH264 ? media::H264NalType(nal_header[0])
                                                 : media::H265NalType(nal_header[0]);
  if (start) {
    if (fragment_open_) {
      st = AbandonFragment(what, "start fragment while the previous fragmented NAL unit was "
                                 "incomplete");
    }
    RETURN_IF_ERROR(CheckNal(nal_header, what));
    if (unit_.size() + 4 + nal_header.size() > kMaxAccessUnitBytes) return Overflow(what);
    fragment_offset_ = unit_.size();
    AppendBe32(unit_, 0);
    AppendBytes(unit_, nal_header);
    fragment_open_ = true;
    fragment_type_ = type;
  } else if (!fragment_open_) {
    // Its start was lost or never sent; without it the NAL unit cannot be rebuilt.
    return InvalidArgumentError(Cat(what, "fragment without a start fragment; dropped"));
  } else if (type != fragment_type_) {
    return AbandonFragment(what, "fragment of NAL unit type " + std::to_string(type) +
                                     " inside one of type " + std::to_string(fragment_type_));
  }
  if (unit_.size() + data.size() > kMaxAccessUnitBytes) return Overflow(what);
  AppendBytes(unit_, data);
  if (end) {
    // Quirk: some cameras send a NAL unit in one FU with both start and end set, which RFC
    // 6184 section 5.8 forbids; it is a complete NAL unit all the same.
    const size_t nal_begin = fragment_offset_ + 4;
    StoreBe32(unit_.data() + fragment_offset_, static_cast<uint32_t>(unit_.size() - nal_begin));
    fragment_open_ = false;
    OnNalComplete(ByteSpan(unit_).subspan(nal_begin));
  }
  if (st.ok() && data.empty()) {
    // Harmless (nothing is lost) but not what the RFCs describe: counted.
    st = InvalidArgumentError(Cat(what, "fragment carries no data"));
  }
  return st;
}

Status NalDepacketizer::AbandonFragment(std::string_view what, std::string_view why) {
  const size_t dropped = unit_.size() - fragment_offset_ - 4;
  unit_.resize(fragment_offset_);
  fragment_open_ = false;
  return InvalidArgumentError(Cat(what, std::string(why) + "; dropped " +
                                            std::to_string(dropped) + " byte(s) of NAL unit type " +
                                            std::to_string(fragment_type_)));
}

Status NalDepacketizer::Overflow(std::string_view what) {
  unit_oversized_ = true;
  fragment_open_ = false;
  Bytes().swap(unit_);  // give the memory back now, not at the next unit
  return ResourceExhaustedError(
      Cat(what, "access unit larger than " + std::to_string(kMaxAccessUnitBytes) +
                    " bytes; dropped"));
}

void NalDepacketizer::OnNalComplete(ByteSpan nal) {
  if (media::IsKeyframeNal(codec_, nal)) unit_keyframe_ = true;
  switch (media::ClassifyNal(codec_, nal)) {
    case media::NalRole::kVps:
      if (codec_ == media::Codec::kH265) UpdateParameterSet(vps_, nal);
      break;
    case media::NalRole::kSps:
      UpdateParameterSet(sps_, nal);
      break;
    case media::NalRole::kPps:
      UpdateParameterSet(pps_, nal);
      break;
    default:
      break;
  }
}

void NalDepacketizer::UpdateParameterSet(Bytes& stored, ByteSpan nal) {
  // In-band sets replace those from the SDP: cameras' sprop values are sometimes stale.
  inband_sets_seen_ = true;
  if (std::equal(stored.begin(), stored.end(), nal.begin(), nal.end())) return;
  stored.assign(nal.begin(), nal.end());
  sets_dirty_ = true;
}

Status NalDepacketizer::RefreshParams() {
  if (!sets_dirty_) return Status();
  sets_dirty_ = false;
  const bool need_vps = codec_ == media::Codec::kH265;
  if (sps_.empty() || pps_.empty() || (need_vps && vps_.empty())) return Status();
  Result<std::shared_ptr<const media::StreamParams>> made =
      media::MakeStreamParams(codec_, vps_, sps_, pps_);
  if (!made.ok()) {
    // The previous params (if any) stay: better than none for the consumers.
    return std::move(made).status().WithContext("in-band parameter sets");
  }
  if (params_ && **made == *params_) return Status();
  if (params_) ++stats_.params_changes;
  params_ = std::move(made).value();
  return Status();
}

Status NalDepacketizer::ApplySdpParameterSets(const std::map<std::string, std::string>& fmtp,
                                              std::initializer_list<std::string_view> keys,
                                              std::vector<std::string> problems) {
  Bytes vps;
  Bytes sps;
  Bytes pps;
  bool any_key = false;
  for (std::string_view key : keys) {
    auto it = fmtp.find(std::string(key));
    if (it == fmtp.end()) continue;
    any_key = true;
    std::string_view list = it->second;
    int entry = 0;
    while (!list.empty()) {
      const size_t comma = list.find(',');
      const std::string_view item = Trim(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      ++entry;
      // Quirk: a trailing comma ("Z0IAH...,aM4..,") leaves an empty entry; skipped.
      if (item.empty()) continue;
      const std::string where = std::string(key) + " entry " + std::to_string(entry);
      Result<Bytes> nal = Base64Decode(item);
      if (!nal.ok()) {
        problems.push_back(where + ": " + nal.status().message());
        continue;
      }
      if (nal->size() < nal_header_bytes()) {
        problems.push_back(where + ": shorter than a NAL unit header");
        continue;
      }
      // Classified by type, not by key: some cameras list them under the wrong key.
      Bytes* slot = nullptr;
      switch (media::ClassifyNal(codec_, *nal)) {
        case media::NalRole::kVps: slot = codec_ == media::Codec::kH265 ? &vps : nullptr; break;
        case media::NalRole::kSps: slot = &sps; break;
        case media::NalRole::kPps: slot = &pps; break;
        default: break;
      }
      if (slot != nullptr && slot->empty()) *slot = std::move(nal).value();
    }
  }
  std::string names;
  for (std::string_view key : keys) names += (names.empty() ? "" : "/") + std::string(key);
  if (!any_key) {
    return NotFoundError("fmtp has no " + names + "; waiting for in-band parameter sets");
  }
  if (codec_ == media::Codec::kH265 && vps.empty()) problems.push_back("no VPS");
  if (sps.empty()) problems.push_back("no SPS");
  if (pps.empty()) problems.push_back("no PPS");
  bool installed = false;
  const bool complete =
      !sps.empty() && !pps.empty() && (codec_ == media::Codec::kH264 || !vps.empty());
  if (complete) {
    Result<std::shared_ptr<const media::StreamParams>> made =
        media::MakeStreamParams(codec_, vps, sps, pps);
    if (!made.ok()) {
      problems.push_back(made.status().message());
    } else if (!inband_sets_seen_) {
      if (params_ && !(**made == *params_)) ++stats_.params_changes;
      if (!params_ || !(**made == *params_)) params_ = std::move(made).value();
      vps_ = std::move(vps);
      sps_ = std::move(sps);
      pps_ = std::move(pps);
      sets_dirty_ = false;
      installed = true;
    }
  }
  if (problems.empty()) return Status();
  std::string message = names + ": ";
  for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  if (!installed) message += "; waiting for in-band parameter sets";
  return InvalidArgumentError(std::move(message));
}

}  // namespace sightline::rtsp
