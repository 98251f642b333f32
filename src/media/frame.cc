#include "media/frame.h"

namespace sightline::media {

const char* CodecName(Codec c) {
  switch (c) {
    case Codec::kH264: return "h264";
    case Codec::kH265: return "h265";
  }
  return "unknown";
}

}  // namespace sightline::media
