#pragma once
// NalDepacketizer: what the H.264 (RFC 6184) and H.265 (RFC 7798) depacketizers share.
// Subclasses parse one RTP payload format and hand complete NAL units and fragments to the
// helpers here; this class assembles them into one length-prefixed buffer per access unit,
// finds access-unit boundaries (timestamp and marker), handles loss, tracks parameter sets
// and enforces the size bound. Behaviour and camera quirks: docs/design/rtsp.md.
// One instance per stream; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "media/frame.h"
#include "rtsp/depacketizer.h"
#include "rtsp/rtp.h"

namespace sightline::rtsp {

// An access unit larger than this is malformed and dropped: it bounds memory per stream
// (the largest legitimate 4K keyframes are a few MiB).
inline constexpr size_t kMaxAccessUnitBytes = size_t{16} << 20;
// Complete units waiting for Pop(). A caller pops after every Push(), so this is only reached
// by a caller that does not; the units beyond it are dropped as if lost.
inline constexpr size_t kMaxReadyUnits = 64;

class NalDepacketizer : public Depacketizer {
 public:
  Status Push(const RtpPacket& packet) final;
  void OnLoss() final;
  std::optional<AccessUnit> Pop() final;
  void Flush() final;
  const DepacketizerStats& stats() const final { return stats_; }

 protected:
  explicit NalDepacketizer(media::Codec codec);

  // Parses one RTP payload into the current unit with AddNals, AddAggregate and AddFragment.
  // A returned error marks the packet malformed (Push counts it); whatever was valid in it
  // has been kept.
  virtual Status ParsePayload(ByteSpan payload) = 0;

  // Adds complete NAL units (single NAL unit packets, aggregation units). Quirk: some
  // cameras put Annex B start codes in front of (or between) NAL units inside a payload;
  // those are split into separate NAL units, and zero bytes before a start code dropped.
  Status AddNals(ByteSpan data, std::string_view what);

  // Adds the NAL units of an STAP-A / AP payload after its header: a 16-bit size then the
  // unit, repeated (RFC 6184 section 5.7.1, RFC 7798 section 4.4.2). `header_bytes` is only
  // used to report offsets within the payload. A size that overruns the packet or is zero
  // ends parsing there: the units before it are kept, the rest is dropped (malformed).
  Status AddAggregate(ByteSpan units, size_t header_bytes, std::string_view what);

  // Adds one fragment of a fragmented NAL unit (FU-A, RFC 6184 section 5.8; FU, RFC 7798
  // section 4.4.3). `nal_header` is the reconstructed NAL unit header (1 or 2 bytes).
  // Fragments are appended straight into the access-unit buffer; no copy is made.
  Status AddFragment(ByteSpan nal_header, bool start, bool end, ByteSpan data,
                     std::string_view what);

  // For SetSdpParameterSets: decodes the comma-separated base64 NAL units of each of the
  // named fmtp parameters (any order, classified by NAL unit type) and installs them as the
  // stream's parameter sets unless in-band sets were already seen. Problems are collected in
  // `problems` (one line each); returns the Status describing them all, or OK.
  Status ApplySdpParameterSets(const std::map<std::string, std::string>& fmtp,
                               std::initializer_list<std::string_view> keys,
                               std::vector<std::string> problems);

  media::Codec codec() const { return codec_; }

 private:
  size_t nal_header_bytes() const { return codec_ == media::Codec::kH264 ? 1 : 2; }
  // Checks that a NAL unit (header included) may appear in an access unit.
  Status CheckNal(ByteSpan nal, std::string_view what) const;
  Status AddNal(ByteSpan nal, std::string_view what);
  // Keyframe and parameter-set bookkeeping for a NAL unit now complete in the buffer.
  void OnNalComplete(ByteSpan nal);
  void UpdateParameterSet(Bytes& stored, ByteSpan nal);
  // Drops the fragmented NAL unit in progress.
  Status AbandonFragment(std::string_view what, std::string_view why);
  // Marks the current unit too large and releases its buffer.
  Status Overflow(std::string_view what);
  // Builds new StreamParams if the stored parameter sets changed since the last build.
  Status RefreshParams();
  // Ends the current unit: queues it for Pop() or drops it.
  Status FinishUnit(bool by_marker);
  void EnterLoss();

  const media::Codec codec_;
  DepacketizerStats stats_;

  // The unit being assembled.
  bool unit_open_ = false;
  uint32_t unit_timestamp_ = 0;
  bool unit_keyframe_ = false;
  bool unit_oversized_ = false;
  Bytes unit_;
  size_t size_hint_ = 0;  // capacity reserved for the next unit: the last non-key unit's size

  // The fragmented NAL unit in progress: its length prefix is at unit_[fragment_offset_].
  bool fragment_open_ = false;
  size_t fragment_offset_ = 0;
  int fragment_type_ = 0;

  // Access-unit boundaries.
  bool marker_reliable_ = true;
  bool last_ended_by_marker_ = false;
  uint32_t last_timestamp_ = 0;
  // After a loss or a wrong marker, the rest of that picture's packets are discarded.
  std::optional<uint32_t> discard_timestamp_;

  // Loss.
  bool waiting_for_keyframe_ = false;
  bool after_loss_pending_ = false;

  // Parameter sets: the latest seen of each (from SDP or in band) and the params built from
  // them. `sets_dirty_` is set when a stored set's bytes change.
  Bytes vps_;
  Bytes sps_;
  Bytes pps_;
  bool sets_dirty_ = false;
  bool inband_sets_seen_ = false;
  std::shared_ptr<const media::StreamParams> params_;

  // Complete units; ready_[ready_head_] is next for Pop(). Cleared (capacity kept) when empty.
  std::vector<AccessUnit> ready_;
  size_t ready_head_ = 0;
};

}  // namespace sightline::rtsp
