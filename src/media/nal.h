#pragma once
// NAL unit basics shared by H.264 (ITU-T H.264 clause 7.3.1, Annex B) and H.265 (ITU-T H.265
// clause 7.3.1, Annex B): header fields, classification, the two framings NAL units travel in
// (Annex B start codes from cameras' elementary streams; 4-byte length prefixes in MP4 and in
// media::Frame) and removal of emulation prevention bytes.
//
// Everything here is a pure function over caller-owned bytes. Returned ByteSpans point into the
// input and live as long as it does. Safe to call from any thread.

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "media/frame.h"

namespace sightline::media {

// nal_unit_type values used by Sightline: ITU-T H.264 Table 7-1 ...
inline constexpr int kH264NalSlice = 1;
inline constexpr int kH264NalSliceDataA = 2;  // data partition A carries the slice header
inline constexpr int kH264NalIdr = 5;
inline constexpr int kH264NalSei = 6;
inline constexpr int kH264NalSps = 7;
inline constexpr int kH264NalPps = 8;
inline constexpr int kH264NalAud = 9;

// ... and ITU-T H.265 Table 7-1.
inline constexpr int kH265NalIrapFirst = 16;  // BLA_W_LP
inline constexpr int kH265NalIrapLast = 23;   // 22 and 23 are reserved IRAP types
inline constexpr int kH265NalVclLast = 31;
inline constexpr int kH265NalVps = 32;
inline constexpr int kH265NalSps = 33;
inline constexpr int kH265NalPps = 34;
inline constexpr int kH265NalAud = 35;
inline constexpr int kH265NalPrefixSei = 39;
inline constexpr int kH265NalSuffixSei = 40;

int H264NalType(uint8_t header_byte);  // header_byte & 0x1f
int H265NalType(uint8_t header_byte);  // (header_byte >> 1) & 0x3f, of the first header byte

// True for a NAL unit that starts a picture decodable on its own: H.264 IDR (type 5); H.265
// IRAP (types 16..23: BLA, IDR, CRA and the reserved IRAP types). `nal` includes its header;
// an empty span is not a keyframe.
bool IsKeyframeNal(Codec codec, ByteSpan nal);

enum class NalRole { kVcl, kVps, kSps, kPps, kAud, kSei, kOther };
// kVcl: H.264 types 1..5; H.265 types 0..31. kSei covers H.265 prefix and suffix SEI alike
// (access-unit splitting tells them apart, see access_unit.h). An empty span is kOther.
NalRole ClassifyNal(Codec codec, ByteSpan nal);

// Splits an Annex B byte stream into NAL units, without their 3- or 4-byte start codes.
// Zero bytes before a start code (the 4-byte start code's leading zero, trailing_zero_8bits)
// are dropped from the preceding NAL unit: a NAL unit never ends in 0x00 (H.264 7.4.1: an
// RBSP ending in 0x00 gets a final emulation prevention byte). Bytes before the first start
// code and empty NAL units are skipped.
std::vector<ByteSpan> SplitAnnexB(ByteSpan stream);

// Splits NAL units each preceded by a big-endian length of `length_size` bytes (1, 2 or 4:
// ISO/IEC 14496-15 lengthSizeMinusOne). A length that overruns the data, a truncated length
// field or a zero length is an error naming its byte offset.
Result<std::vector<ByteSpan>> SplitLengthPrefixed(ByteSpan data, int length_size = 4);

// Appends a 4-byte big-endian length and the NAL unit to `out`.
void AppendLengthPrefixed(ByteSpan nal, Bytes& out);

// Returns the RBSP of an encapsulated NAL unit (or any part of one): every 0x03 that follows
// two zero bytes is an emulation_prevention_three_byte (H.264 7.4.1 / H.265 7.4.2) and is
// removed.
Bytes EbspToRbsp(ByteSpan ebsp);

// The inverse, for building NAL units (tests, simulators): inserts 0x03 after any two zero
// bytes followed by a byte <= 0x03, and after two zero bytes that end the data (H.264 7.4.1:
// an RBSP ending in cabac_zero_words). EbspToRbsp(RbspToEbsp(x)) == x for every x.
Bytes RbspToEbsp(ByteSpan rbsp);

}  // namespace sightline::media
