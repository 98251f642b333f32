#pragma once
// Conversion from the Annex B byte stream (ITU-T H.264 / H.265 Annex B: NAL units behind
// 0x000001 or 0x00000001 start codes) to the length-prefixed form Frame::data and MP4 samples
// use. Test support: the oracle that raw .h264 files and libavformat's RTSP output are
// compared through, written independently of src/media.

#include "base/bytes.h"
#include "base/result.h"

namespace sightline::testing {

// Splits `annex_b` at start codes and writes each NAL unit behind a 4-byte big-endian length.
// Zero bytes before a start code are dropped: they are either the zero_byte of a 4-byte start
// code or trailing_zero_8bits (H.264 B.1.1), never part of a NAL unit, whose last byte is
// non-zero (it holds rbsp_stop_one_bit or a cabac_zero_word's emulation prevention byte).
// Fails when the data does not start with a start code or holds an empty NAL unit.
Result<Bytes> AnnexBToLengthPrefixed(ByteSpan annex_b);

// Rewrites NAL units prefixed by `length_size` bytes (1, 2 or 4, from an avcC/hvcC
// lengthSizeMinusOne) to 4-byte prefixes. Fails when a length overruns the data.
Result<Bytes> ToFourByteLengths(ByteSpan data, int length_size);

}  // namespace sightline::testing
