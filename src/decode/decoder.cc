#include "decode/decoder.h"

#include <cstring>
#include <utility>

#include "decode/av_handles.h"
#include "mp4/box_writer.h"
#include "mp4/decoder_config.h"

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
}

namespace sightline::decode {

struct Decoder::Av {
  CodecContextPtr context;
  PacketPtr packet;
};

namespace {

// ISO BMFF box header (size and type) before the avcC/hvcC payload that libavcodec takes as
// extradata.
constexpr size_t kBoxHeaderBytes = 8;

// Pixel formats a YuvView describes: 8-bit planar YCbCr, or 8-bit grey (H.264 4:0:0).
bool IsPlanar8Bit(int format) {
  switch (format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_GRAY8:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::unique_ptr<Decoder>> Decoder::Create(std::shared_ptr<const media::StreamParams> params,
                                                 DecoderOptions options) {
  const std::string where = "decoder for " + options.name + " (" +
                            (params ? params->codec_string : std::string("no parameters")) + ")";
  if (params == nullptr) return InvalidArgumentError(where + ": no stream parameters");
  const AVCodecID id =
      params->codec == media::Codec::kH264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC;
  const AVCodec* codec = avcodec_find_decoder(id);
  if (codec == nullptr) {
    return UnimplementedError(where + ": libavcodec has no " +
                              media::CodecName(params->codec) + " decoder");
  }
  auto av = std::make_unique<Av>();
  av->context.reset(avcodec_alloc_context3(codec));
  av->packet.reset(av_packet_alloc());
  if (av->context == nullptr || av->packet == nullptr) {
    return ResourceExhaustedError(where + ": out of memory");
  }
  AVCodecContext& c = *av->context;

  // The decoder configuration record makes libavcodec read 4-byte length-prefixed NAL units,
  // so Frame::data goes in as it is; the alternative, rewriting every frame to Annex B start
  // codes, costs a pass over each frame for nothing.
  mp4::BoxWriter w;
  mp4::WriteDecoderConfig(*params, w);
  const Bytes record = std::move(w).Take();
  const size_t extradata_bytes = record.size() - kBoxHeaderBytes;
  c.extradata =
      static_cast<uint8_t*>(av_mallocz(extradata_bytes + AV_INPUT_BUFFER_PADDING_SIZE));
  if (c.extradata == nullptr) return ResourceExhaustedError(where + ": out of memory");
  std::memcpy(c.extradata, record.data() + kBoxHeaderBytes, extradata_bytes);
  c.extradata_size = static_cast<int>(extradata_bytes);

  c.thread_count = options.threads < 1 ? 1 : options.threads;
  c.pkt_timebase = AVRational{1, static_cast<int>(media::Time90k::kHz)};
  c.skip_frame = options.keyframes_only ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT;
  // Report slice errors instead of concealing them silently; the caller resumes at the next
  // keyframe, so a broken picture never becomes the motion detector's background.
  c.err_recognition |= AV_EF_EXPLODE;
  c.log_level_offset = kQuietLogOffset;
  if (const int err = avcodec_open2(&c, codec, nullptr); err < 0) {
    return InvalidArgumentError(where + ": avcodec_open2: " + AvErrorString(err));
  }
  return std::make_unique<Decoder>(Key(), std::move(params), std::move(options), std::move(av));
}

Decoder::Decoder(Key, std::shared_ptr<const media::StreamParams> params, DecoderOptions options,
                 std::unique_ptr<Av> av)
    : params_(std::move(params)), options_(std::move(options)), av_(std::move(av)) {}

Decoder::~Decoder() = default;

Status Decoder::Error(int64_t pts_90k, std::string_view what, int av_error) const {
  std::string message = "decode " + options_.name + " frame pts " + std::to_string(pts_90k) +
                        ": " + std::string(what);
  if (av_error != 0) message += ": " + AvErrorString(av_error);
  if (av_error == AVERROR(ENOMEM)) return ResourceExhaustedError(std::move(message));
  return DataLossError(std::move(message));
}

Status Decoder::Send(const media::Frame& frame) {
  const int64_t pts = frame.pts.ticks();
  if (frame.data.empty()) return Error(pts, "empty frame");
  AVPacket* pkt = av_->packet.get();
  if (const int err = av_new_packet(pkt, static_cast<int>(frame.data.size())); err < 0) {
    return Error(pts, "av_new_packet", err);
  }
  std::memcpy(pkt->data, frame.data.data(), frame.data.size());
  pkt->pts = pkt->dts = pts;
  if (frame.keyframe) pkt->flags |= AV_PKT_FLAG_KEY;
  const int err = avcodec_send_packet(av_->context.get(), pkt);
  av_packet_unref(pkt);
  if (err == AVERROR(EAGAIN)) return Error(pts, "a decoded picture was not received first");
  if (err < 0) return Error(pts, "decoding failed", err);
  return Status::Ok();
}

Status Decoder::SendEndOfStream() {
  const int err = avcodec_send_packet(av_->context.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF) return Error(0, "end of stream", err);
  return Status::Ok();
}

Result<bool> Decoder::Receive(Picture& out) {
  AVFrame* f = out.av_frame();
  if (f == nullptr) return ResourceExhaustedError("decode " + options_.name + ": out of memory");
  av_frame_unref(f);
  const int err = avcodec_receive_frame(av_->context.get(), f);
  if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return false;
  if (err < 0) return Error(0, "receiving a picture", err);
  const int64_t pts = out.pts_90k();
  if (f->decode_error_flags != 0 || (f->flags & AV_FRAME_FLAG_CORRUPT) != 0) {
    av_frame_unref(f);
    return Error(pts, "picture decoded with errors");
  }
  if (!IsPlanar8Bit(f->format)) {
    const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(f->format));
    av_frame_unref(f);
    return UnimplementedError("decode " + options_.name + " frame pts " + std::to_string(pts) +
                              ": pixel format " + (name ? name : "unknown") +
                              " (only 8-bit planar YUV is analysed)");
  }
  return true;
}

void Decoder::Reset() { avcodec_flush_buffers(av_->context.get()); }

}  // namespace sightline::decode
