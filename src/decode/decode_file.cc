#include "decode/decode_file.h"

#include <memory>

#include "decode/decoder.h"
#include "decode/file_reader.h"
#include "decode/frame_rate_cap.h"

namespace sightline::decode {

Status DecodeFile(const std::string& path, const FileDecodeOptions& options,
                  const std::function<Status(const DecodedPicture&)>& on_picture) {
  ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader, FileReader::Open(path));
  DecoderOptions decoder_options;
  decoder_options.keyframes_only = options.keyframes_only;
  decoder_options.name = path;
  std::unique_ptr<Decoder> decoder;
  FrameRateCap cap(options.max_fps);
  Picture picture;

  auto drain = [&]() -> Status {
    for (;;) {
      ASSIGN_OR_RETURN(const bool got, decoder->Receive(picture));
      if (!got) return Status::Ok();
      if (!cap.Take(picture.pts_90k())) continue;
      DecodedPicture out;
      out.pts_90k = picture.pts_90k();
      out.keyframe = picture.keyframe();
      out.grey = ToGrey(picture.yuv(), options.grey_width);
      out.picture = &picture;
      RETURN_IF_ERROR(on_picture(out));
    }
  };

  for (;;) {
    ASSIGN_OR_RETURN(media::FramePtr frame, reader->Next());
    if (frame == nullptr) break;
    if (frame->params == nullptr || (options.keyframes_only && !frame->keyframe)) continue;
    if (decoder == nullptr || !decoder->Matches(*frame->params)) {
      if (decoder != nullptr) {
        RETURN_IF_ERROR(decoder->SendEndOfStream());
        RETURN_IF_ERROR(drain());
      }
      ASSIGN_OR_RETURN(decoder, Decoder::Create(frame->params, decoder_options));
    }
    RETURN_IF_ERROR(decoder->Send(*frame));
    RETURN_IF_ERROR(drain());
  }
  if (decoder == nullptr) return NotFoundError(path + ": no decodable frames");
  RETURN_IF_ERROR(decoder->SendEndOfStream());
  return drain();
}

}  // namespace sightline::decode
