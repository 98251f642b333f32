#pragma once
// Clip: one video file, loaded once, split into frames and packetized once into RTP payloads
// that every simulated camera and session playing the file shares. Sessions add only their
// own 12-byte RTP headers (sequence number, timestamp, SSRC), so a thousand cameras playing
// the same file cost one copy of its packets.
//
// A Clip is immutable after LoadClip/Clip::Build and may be read from any thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"
#include "media/time.h"
#include "tools/camsim/decoder_config.h"

namespace sightline::camsim {

struct ClipFrame {
  media::Time90k dts;     // send time, from the clip's first frame (0); non-decreasing
  media::Time90k pts;     // presentation time on the same origin: the RTP timestamp offset
  bool keyframe = false;  // H.264 IDR / H.265 IRAP
  // Length-prefixed NAL units (media/frame.h form): exactly what the RTP payloads carry.
  Bytes data;
  uint32_t first_packet = 0;  // index into Clip::packet()
  uint32_t packet_count = 0;
};

struct ClipPacket {
  uint32_t offset = 0;  // into the clip's shared payload buffer
  uint32_t size = 0;
  bool marker = false;  // last packet of its frame (RFC 6184 section 5.1)
};

class Clip {
 public:
  struct Input {
    std::string source;  // file name, for logs and errors
    media::Codec codec = media::Codec::kH264;
    std::vector<ClipFrame> frames;  // data, dts, pts filled in; in decode order
    media::Time90k duration;        // from frames[0].dts to the end of the last frame
    DecoderConfig config;           // out-of-band parameter sets, if the file had any
    int width = 0;
    int height = 0;
  };

  // Drops frames before the first keyframe, puts the out-of-band parameter sets in front of
  // keyframes that lack them in band, and packetizes every frame (RFC 6184 / RFC 7798,
  // payloads of at most `max_payload_bytes`). Fails without a keyframe or an SPS/PPS.
  static Result<std::shared_ptr<const Clip>> Build(Input input, size_t max_payload_bytes = 1400);

  const std::string& source() const { return source_; }
  media::Codec codec() const { return codec_; }
  media::Time90k duration() const { return duration_; }
  int width() const { return width_; }
  int height() const { return height_; }
  const std::vector<ClipFrame>& frames() const { return frames_; }
  size_t packet_count() const { return packets_.size(); }
  const ClipPacket& packet(size_t i) const { return packets_[i]; }
  ByteSpan payload(size_t i) const {
    return ByteSpan(payload_bytes_).subspan(packets_[i].offset, packets_[i].size);
  }
  // The first parameter sets of the clip (in band, else from the decoder configuration):
  // what the SDP advertises. `vps` is empty for H.264.
  const Bytes& vps() const { return vps_; }
  const Bytes& sps() const { return sps_; }
  const Bytes& pps() const { return pps_; }
  // Average bit rate of the payloads over one loop.
  double bitrate_bps() const;

  // The index of the latest keyframe whose dts is <= `offset` (taken modulo the duration).
  size_t KeyframeAtOrBefore(media::Time90k offset) const;
  // The index of the first keyframe at or after `index`, or frames().size() if none.
  size_t NextKeyframe(size_t index) const;

 private:
  struct PassKey {};  // only Build() makes Clips

 public:
  explicit Clip(PassKey) {}

 private:
  std::string source_;
  media::Codec codec_ = media::Codec::kH264;
  media::Time90k duration_;
  int width_ = 0;
  int height_ = 0;
  std::vector<ClipFrame> frames_;
  std::vector<size_t> keyframes_;  // indices, ascending
  std::vector<ClipPacket> packets_;
  Bytes payload_bytes_;
  Bytes vps_, sps_, pps_;
};

// Loads H.264 or H.265 video from an MP4 (or anything else libavformat demuxes), or from a raw
// Annex B stream named .h264/.264/.avc or .h265/.265/.hevc. Raw streams have no timestamps:
// frames are spaced at `raw_fps`, or at the SPS's VUI frame rate, or at 25 fps.
Result<std::shared_ptr<const Clip>> LoadClip(const std::string& path, double raw_fps = 0);

}  // namespace sightline::camsim
