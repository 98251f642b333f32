#pragma once
// Access-unit assembly from an Annex B elementary stream, for the camera simulator (which
// reads raw .h264/.h265 files) and for tests. The boundary rules are ITU-T H.264 7.4.1.2.3 and
// H.265 7.4.2.4.4: once the unit being built holds a VCL NAL unit, the next unit starts at an
// access unit delimiter, a parameter set, a (prefix) SEI, one of the reserved types those
// clauses list, or a VCL NAL unit that is the first slice of a new picture. Pure functions;
// safe from any thread.

#include <vector>

#include "base/bytes.h"
#include "media/frame.h"

namespace sightline::media {

struct AnnexBAccessUnit {
  Bytes data;             // length-prefixed NAL units (see media/frame.h), as in the stream
  bool keyframe = false;  // holds an H.264 IDR or H.265 IRAP NAL unit
};

// True for a VCL NAL unit (with its header) that begins a picture: H.264 first_mb_in_slice
// equal to 0 in a slice or data partition A; H.265 first_slice_segment_in_pic_flag set.
// Slice data partitions B and C never begin one.
bool IsFirstSliceOfPicture(Codec codec, ByteSpan nal);

// Given that the unit being built already holds a VCL NAL unit, whether `nal` begins the next
// one. H.265 suffix SEI, end-of-sequence/stream and filler data belong to the unit they follow.
bool StartsAccessUnit(Codec codec, ByteSpan nal);

// Splits a whole Annex B stream (see SplitAnnexB in nal.h) into access units. NAL units before
// the first picture join the first unit; NAL units after the last picture that no picture
// follows (say, a lone SPS at the end of a truncated file) form no unit and are dropped.
std::vector<AnnexBAccessUnit> SplitAnnexBAccessUnits(Codec codec, ByteSpan stream);

}  // namespace sightline::media
