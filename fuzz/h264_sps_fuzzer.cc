// Fuzzes the H.264 SPS parser and what is built from it. The input is an SPS payload; the
// fuzzer puts an SPS NAL header in front so that every input gets past the type check (the raw
// input is parsed as well). Checks: a parsed SPS has a non-empty picture no larger than its
// coded size, coded sizes in whole macroblocks, a plausible fps, a well-formed codec string,
// and MakeStreamParams agrees with the parse.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "media/h264.h"
#include "media/stream_params.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sightline;
  using namespace sightline::media;

  (void)ParseH264Sps(ByteSpan(data, size));

  Bytes nal = {0x67};
  nal.insert(nal.end(), data, data + size);
  Result<H264Sps> sps = ParseH264Sps(nal);
  if (!sps.ok()) {
    Check(!sps.status().message().empty());
    Check(!MakeStreamParams(Codec::kH264, {}, nal, {}).ok());
    return 0;
  }
  Check(sps->coded_width > 0 && sps->coded_width % 16 == 0 && sps->coded_width <= 32768);
  Check(sps->coded_height > 0 && sps->coded_height % 16 == 0 && sps->coded_height <= 65536);
  Check(sps->width > 0 && sps->width <= sps->coded_width);
  Check(sps->height > 0 && sps->height <= sps->coded_height);
  Check(sps->sps_id <= 31 && sps->chroma_format_idc <= 3);
  Check(sps->log2_max_frame_num >= 4 && sps->log2_max_frame_num <= 16);
  if (sps->fps) Check(*sps->fps > 0 && *sps->fps <= 1000);

  const std::string codec = H264CodecString(*sps);
  Check(codec.size() == 11 && codec.compare(0, 5, "avc1.") == 0);
  for (size_t i = 5; i < codec.size(); ++i) Check(IsLowerHex(codec[i]));

  auto params = MakeStreamParams(Codec::kH264, {}, nal, {});
  Check(params.ok());
  Check((*params)->width == sps->width && (*params)->height == sps->height);
  Check((*params)->codec_string == codec && (*params)->sps == nal);
  return 0;
}
