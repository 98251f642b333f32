#pragma once
// Decoder: one H.264 or H.265 stream decoded with libavcodec, fed media::Frame as ingest
// produces them. Single-threaded by default: Sightline runs one decoder per analysed stream on
// that stream's analysis thread, which scales better over many cameras than frame threads
// inside each decoder. A decoder is made for one StreamParams; when a stream's parameter sets
// change, make a new one (Matches tells).
//
// Not thread-safe: one thread uses a Decoder at a time. Pictures it returns own their buffers
// and may outlive it.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "decode/picture.h"
#include "media/frame.h"

namespace sightline::decode {

struct DecoderOptions {
  int threads = 1;  // libavcodec threads; 1 decodes on the caller's thread only
  // Decode IDR/IRAP pictures only (AVDISCARD_NONKEY): for weak machines, about a GOP's worth
  // of decoding less. Feeding only keyframes (Send skips nothing itself) saves the copying too.
  bool keyframes_only = false;
  // Names the stream in errors, e.g. "camera=front stream=sub".
  std::string name;
};

class Decoder {
  struct Key {
    explicit Key() = default;
  };
  struct Av;  // the FFmpeg handles

 public:
  // Opens a decoder for `params` (codec and parameter sets; in-band parameter sets in the
  // frames are used too). Fails with the stream's name if the codec is unavailable or
  // libavcodec refuses the parameter sets.
  static Result<std::unique_ptr<Decoder>> Create(std::shared_ptr<const media::StreamParams> params,
                                                 DecoderOptions options);

  Decoder(Key, std::shared_ptr<const media::StreamParams> params, DecoderOptions options,
          std::unique_ptr<Av> av);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Whether frames with `params` can go to this decoder (same codec and parameter sets).
  bool Matches(const media::StreamParams& params) const { return *params_ == params; }
  const DecoderOptions& options() const { return options_; }

  // Decodes one access unit. Afterwards call Receive until it returns false. An error (corrupt
  // or truncated data; the message names the stream and the frame's pts) leaves the decoder
  // usable: call Reset and continue from the next keyframe.
  Status Send(const media::Frame& frame);
  // Signals the end of the stream, so the pictures still held for reordering come out.
  Status SendEndOfStream();
  // Moves the next decoded picture into `out` (reusing its buffers) and returns true, or
  // returns false when the decoder needs more input. A picture that decoded with errors
  // (concealed macroblocks) is an error, as is a pixel format other than 8-bit planar YUV.
  Result<bool> Receive(Picture& out);
  // Forgets reference pictures and pending output, after an error or a gap in the frames.
  void Reset();

 private:
  Status Error(int64_t pts_90k, std::string_view what, int av_error = 0) const;

  std::shared_ptr<const media::StreamParams> params_;
  DecoderOptions options_;
  std::unique_ptr<Av> av_;
};

}  // namespace sightline::decode
