// Fuzzes the H.265 VPS and SPS parsers. The first input byte picks VPS or SPS; the rest is the
// payload, behind a matching 2-byte NAL header so every input gets past the type check (the
// raw input is parsed as both as well). Checks: a parsed SPS has a non-empty picture no larger
// than its coded size, sane ranges, a plausible fps; codec strings are well formed; and
// MakeStreamParams agrees with the parse.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "media/h265.h"
#include "media/stream_params.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// "hvc1." then dot-separated fields of digits, upper-case hex and the letters A-C, H, L.
void CheckCodecString(const std::string& s) {
  Check(s.compare(0, 5, "hvc1.") == 0 && s.size() > 5 && s.back() != '.');
  int dots = 0;
  for (size_t i = 5; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      Check(s[i - 1] != '.');
      ++dots;
      continue;
    }
    Check((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || c == 'H' || c == 'L');
  }
  Check(dots >= 2 && dots <= 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sightline;
  using namespace sightline::media;
  if (size == 0) return 0;

  (void)ParseH265Sps(ByteSpan(data, size));
  (void)ParseH265Vps(ByteSpan(data, size));

  const bool as_vps = data[0] & 1;
  Bytes nal = {static_cast<uint8_t>(as_vps ? 0x40 : 0x42), 0x01};
  nal.insert(nal.end(), data + 1, data + size);

  if (as_vps) {
    Result<H265Vps> vps = ParseH265Vps(nal);
    if (!vps.ok()) {
      Check(!vps.status().message().empty());
      return 0;
    }
    Check(vps->vps_id <= 15 && vps->max_sub_layers >= 1 && vps->max_sub_layers <= 7);
    if (vps->fps) Check(*vps->fps > 0 && *vps->fps <= 1000);
    CheckCodecString(H265CodecString(vps->ptl));
    return 0;
  }

  Result<H265Sps> sps = ParseH265Sps(nal);
  if (!sps.ok()) {
    Check(!sps.status().message().empty());
    Check(!MakeStreamParams(Codec::kH265, {}, nal, {}).ok());
    return 0;
  }
  Check(sps->coded_width > 0 && sps->coded_width <= 32768);
  Check(sps->coded_height > 0 && sps->coded_height <= 32768);
  Check(sps->width > 0 && sps->width <= sps->coded_width);
  Check(sps->height > 0 && sps->height <= sps->coded_height);
  Check(sps->sps_id <= 15 && sps->chroma_format_idc <= 3);
  Check(sps->max_sub_layers >= 1 && sps->max_sub_layers <= 7);
  if (sps->fps) Check(*sps->fps > 0 && *sps->fps <= 1000);
  const std::string codec = H265CodecString(sps->ptl);
  CheckCodecString(codec);

  auto params = MakeStreamParams(Codec::kH265, {}, nal, {});
  Check(params.ok());
  Check((*params)->width == sps->width && (*params)->height == sps->height);
  Check((*params)->codec_string == codec && (*params)->fps == sps->fps);
  return 0;
}
