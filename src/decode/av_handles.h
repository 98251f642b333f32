#pragma once
// Owning handles for FFmpeg objects (unique_ptr with the matching free function) and FFmpeg
// error text. Internal to decode/ and its tests: no public header of this folder includes
// FFmpeg.

#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
}

namespace sightline::decode {

struct CodecContextFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FormatContextClose {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};

using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using AvFramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextClose>;

// av_strerror's text for an AVERROR code.
std::string AvErrorString(int err);

// FFmpeg logs through the object it works on; raising a codec context's log_level_offset this
// much pushes its messages below AV_LOG_DEBUG, so per-picture complaints ("error while decoding
// MB ...") do not reach stderr: Sightline reports them once, as a Status, where it handles them.
// Per context, unlike av_log_set_level, so nothing process-wide changes.
inline constexpr int kQuietLogOffset = AV_LOG_TRACE;

}  // namespace sightline::decode
