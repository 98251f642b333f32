#pragma once
// The decoder configuration records inside the sample entry: AVCDecoderConfigurationRecord
// (avcC, ISO/IEC 14496-15 5.3.3) and HEVCDecoderConfigurationRecord (hvcC, 8.3.3). Sightline
// writes one SPS and PPS (and VPS for H.265) and 4-byte NAL unit lengths (lengthSizeMinusOne
// 3), the form of media::Frame::data. Pure; safe from any thread.

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"
#include "mp4/box_writer.h"

namespace sightline::mp4 {

// Writes the avcC or hvcC box for params.codec. Profile, level, chroma format and bit depth
// come from parsing params.sps; StreamParams from media::MakeStreamParams always parses, for
// any other an unparsable SPS leaves those fields zero (4:2:0, 8 bits).
void WriteDecoderConfig(const media::StreamParams& params, BoxWriter& w);

// The first parameter set of each kind in a record (raw NAL units). `vps` stays empty for
// H.264; a record without a PPS leaves `pps` empty.
struct ParameterSets {
  Bytes vps, sps, pps;
};
// Parse the payload of an avcC or hvcC box. Errors name the field; a record with lengths other
// than 4 bytes is Unimplemented (samples would not be in media::Frame form).
Result<ParameterSets> ParseAvcC(ByteSpan payload);
Result<ParameterSets> ParseHvcC(ByteSpan payload);

}  // namespace sightline::mp4
