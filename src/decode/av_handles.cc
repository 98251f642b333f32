#include "decode/av_handles.h"

extern "C" {
#include <libavutil/error.h>
}

namespace sightline::decode {

std::string AvErrorString(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

}  // namespace sightline::decode
