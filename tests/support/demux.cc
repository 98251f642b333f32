#include "support/demux.h"

#include <chrono>
#include <memory>
#include <utility>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>
}

#include "support/annex_b.h"
#include "support/frame_hash.h"

namespace sightline::testing {
namespace {

struct FormatContextCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct DictionaryFreer {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

std::string AvError(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

// Lets libavformat's blocking calls give up at the deadline (AVIOInterruptCB).
struct Deadline {
  bool enabled = false;
  std::chrono::steady_clock::time_point at;
  bool expired() const { return enabled && std::chrono::steady_clock::now() >= at; }
};

int InterruptAtDeadline(void* opaque) { return static_cast<const Deadline*>(opaque)->expired(); }

// H.264 IDR (nal_unit_type 5, ITU-T H.264 table 7-1); H.265 IRAP (types 16..23, of which
// 16..21 are BLA, IDR and CRA pictures, ITU-T H.265 table 7-1).
bool HasKeyframeNal(media::Codec codec, ByteSpan length_prefixed) {
  ByteReader r(length_prefixed);
  uint32_t n = 0;
  ByteSpan nal;
  while (r.ReadBe32(&n) && r.ReadSpan(n, &nal)) {
    if (nal.empty()) continue;
    if (codec == media::Codec::kH264 && (nal[0] & 0x1f) == 5) return true;
    if (codec == media::Codec::kH265) {
      const int type = (nal[0] >> 1) & 0x3f;
      if (type >= 16 && type <= 21) return true;
    }
  }
  return false;
}

// The NAL length size of an avcC (ISO/IEC 14496-15 5.3.3.1, byte 4) or hvcC (8.3.3.1, byte
// 21) record, or 0 when the extradata is absent or Annex B (the stream is then Annex B).
int NalLengthSize(media::Codec codec, const AVCodecParameters& par) {
  const uint8_t* x = par.extradata;
  const int size = par.extradata_size;
  if (x == nullptr || size < 1 || x[0] != 1) return 0;
  if (codec == media::Codec::kH264 && size >= 5) return (x[4] & 3) + 1;
  if (codec == media::Codec::kH265 && size >= 22) return (x[21] & 3) + 1;
  return 0;
}

}  // namespace

Result<std::vector<SourceFrame>> Demux(const std::string& url, const DemuxOptions& options) {
  Deadline deadline;
  if (options.timeout_ms > 0) {
    deadline.enabled = true;
    deadline.at = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return ResourceExhaustedError("avformat_alloc_context failed");
  raw->interrupt_callback.callback = InterruptAtDeadline;
  raw->interrupt_callback.opaque = &deadline;

  AVDictionary* dict = nullptr;
  for (const auto& [key, value] : options.format_options) {
    av_dict_set(&dict, key.c_str(), value.c_str(), 0);
  }
  std::unique_ptr<AVDictionary, DictionaryFreer> dict_owner;
  int err = avformat_open_input(&raw, url.c_str(), nullptr, &dict);
  dict_owner.reset(dict);
  if (err < 0) {  // avformat_open_input frees the context on failure
    if (deadline.expired()) return DeadlineExceededError(url + ": open timed out");
    return IoError(url + ": cannot open: " + AvError(err));
  }
  std::unique_ptr<AVFormatContext, FormatContextCloser> fmt(raw);

  err = avformat_find_stream_info(fmt.get(), nullptr);
  if (err < 0) return IoError(url + ": no stream info: " + AvError(err));
  const int index = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (index < 0) return NotFoundError(url + ": no video stream");
  const AVStream* stream = fmt->streams[index];
  media::Codec codec;
  switch (stream->codecpar->codec_id) {
    case AV_CODEC_ID_H264:
      codec = media::Codec::kH264;
      break;
    case AV_CODEC_ID_HEVC:
      codec = media::Codec::kH265;
      break;
    default:
      return UnimplementedError(url + ": video codec " +
                                avcodec_get_name(stream->codecpar->codec_id) +
                                " is neither H.264 nor H.265");
  }
  const int length_size = NalLengthSize(codec, *stream->codecpar);

  std::unique_ptr<AVPacket, PacketFreer> pkt(av_packet_alloc());
  if (pkt == nullptr) return ResourceExhaustedError("av_packet_alloc failed");
  std::vector<SourceFrame> frames;
  while (options.max_frames == 0 || frames.size() < options.max_frames) {
    err = av_read_frame(fmt.get(), pkt.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) {
      if (deadline.expired()) {
        return DeadlineExceededError(url + ": timed out after " + std::to_string(frames.size()) +
                                     " frames");
      }
      return IoError(url + ": read frame " + std::to_string(frames.size()) + ": " + AvError(err));
    }
    if (pkt->stream_index != index) {
      av_packet_unref(pkt.get());
      continue;
    }
    const ByteSpan bytes(pkt->data, static_cast<size_t>(pkt->size));
    Result<Bytes> data =
        length_size > 0 ? ToFourByteLengths(bytes, length_size) : AnnexBToLengthPrefixed(bytes);
    if (!data.ok()) {
      return std::move(data).status().WithContext(url + ": frame " + std::to_string(frames.size()));
    }
    const int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    SourceFrame f;
    f.codec = codec;
    f.pts = media::Time90k(
        ts == AV_NOPTS_VALUE ? 0 : av_rescale_q(ts, stream->time_base, AVRational{1, 90000}));
    f.data = std::move(data).value();
    f.keyframe = HasKeyframeNal(codec, f.data);
    f.hash = FrameHash(f.data);
    frames.push_back(std::move(f));
    av_packet_unref(pkt.get());
  }
  return frames;
}

Result<std::vector<SourceFrame>> DemuxFile(const std::string& path) { return Demux(path, {}); }

}  // namespace sightline::testing
