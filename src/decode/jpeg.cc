#include "decode/jpeg.h"

#include <algorithm>
#include <memory>
#include <string>

#include "decode/av_handles.h"
#include "decode/decoder.h"

namespace sightline::decode {
namespace {

// The MJPEG encoder's quantiser scale: 2 (best) to 31 (FFmpeg's qscale range).
int QuantiserScale(int quality) {
  const int q = std::clamp(quality, 1, 100);
  return 2 + ((100 - q) * 29 + 49) / 99;
}

}  // namespace

Result<Bytes> EncodeJpeg(const YuvView& picture, int max_width, int quality) {
  const YuvImage image = ToJpegYuv(picture, max_width);
  if (image.empty()) {
    return InvalidArgumentError("JPEG of a " + std::to_string(picture.y.width) + "x" +
                                std::to_string(picture.y.height) + " picture at most " +
                                std::to_string(max_width) + " wide: too small");
  }
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (codec == nullptr) return UnimplementedError("JPEG: libavcodec has no MJPEG encoder");
  CodecContextPtr context(avcodec_alloc_context3(codec));
  AvFramePtr frame(av_frame_alloc());
  PacketPtr packet(av_packet_alloc());
  if (context == nullptr || frame == nullptr || packet == nullptr) {
    return ResourceExhaustedError("JPEG: out of memory");
  }
  AVCodecContext& c = *context;
  c.width = image.width;
  c.height = image.height;
  c.pix_fmt = AV_PIX_FMT_YUVJ420P;
  c.color_range = AVCOL_RANGE_JPEG;
  c.time_base = AVRational{1, 1};
  c.thread_count = 1;
  c.flags |= AV_CODEC_FLAG_QSCALE;
  c.global_quality = QuantiserScale(quality) * FF_QP2LAMBDA;
  c.log_level_offset = kQuietLogOffset;
  if (const int err = avcodec_open2(&c, codec, nullptr); err < 0) {
    return InternalError("JPEG: avcodec_open2: " + AvErrorString(err));
  }

  AVFrame& f = *frame;
  f.format = AV_PIX_FMT_YUVJ420P;
  f.width = image.width;
  f.height = image.height;
  f.quality = c.global_quality;
  f.pts = 0;
  const media::GreyPlane* planes[3] = {&image.y, &image.u, &image.v};
  for (int i = 0; i < 3; ++i) {
    // The encoder only reads the planes; FFmpeg's frame API takes non-const pointers.
    f.data[i] = const_cast<uint8_t*>(planes[i]->pixels.data());
    f.linesize[i] = planes[i]->width;
  }
  int err = avcodec_send_frame(&c, &f);
  if (err >= 0) err = avcodec_receive_packet(&c, packet.get());
  if (err < 0) return InternalError("JPEG: encoding failed: " + AvErrorString(err));
  return Bytes(packet->data, packet->data + packet->size);
}

Result<Bytes> SnapshotJpeg(const media::StreamParams& params, ByteSpan keyframe_sample,
                           int max_width, int quality) {
  DecoderOptions options;
  options.name = "snapshot";
  ASSIGN_OR_RETURN(std::unique_ptr<Decoder> decoder,
                   Decoder::Create(std::make_shared<media::StreamParams>(params), options));
  media::Frame frame;
  frame.codec = params.codec;
  frame.keyframe = true;
  frame.data.assign(keyframe_sample.begin(), keyframe_sample.end());
  RETURN_IF_ERROR(decoder->Send(frame));
  RETURN_IF_ERROR(decoder->SendEndOfStream());
  Picture picture;
  ASSIGN_OR_RETURN(const bool got, decoder->Receive(picture));
  if (!got) {
    return DataLossError("snapshot: the " + std::to_string(keyframe_sample.size()) +
                         "-byte sample decodes to no picture on its own (not a keyframe?)");
  }
  return EncodeJpeg(picture.yuv(), max_width, quality);
}

}  // namespace sightline::decode
