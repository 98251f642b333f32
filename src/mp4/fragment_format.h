#pragma once
// The fixed choices of Sightline's fragments (fragment.h), shared by writer and reader. Every
// fragment is exactly
//
//   prft (32 bytes)  version 1: reference_track_ID 1, NTP time, media_time = tfdt
//   moof             mfhd; traf (tfhd with kTfhdFlags, tfdt version 1, trun version 0 with
//                    kTrunFlags)
//   mdat             the samples back to back
//   free (20 bytes)  "slck", version 0 + 3 zero bytes, CRC32C of prft..mdat, big-endian
//
// and the reader refuses any other shape: it only reads what this library wrote.

#include <cstdint>

namespace sightline::mp4 {

inline constexpr uint32_t kTrackId = 1;

// tfhd (ISO/IEC 14496-12 8.8.7): default-base-is-moof, so trun's data_offset counts from the
// first byte of moof and no base_data_offset is stored.
inline constexpr uint32_t kTfhdFlags = 0x020000;

// trun (8.8.8): data-offset-present | sample-duration-present | sample-size-present |
// sample-flags-present; each sample is three 32-bit fields.
inline constexpr uint32_t kTrunFlags = 0x000701;
inline constexpr uint32_t kTrunSampleBytes = 12;
// A GOP of a camera stream has tens to hundreds of samples; anything near this is garbage.
inline constexpr uint32_t kMaxSamplesPerFragment = 1000000;

// Sample flags (8.8.3.1): a keyframe depends on no other sample (sample_depends_on 2); other
// samples depend on others (1) and are not sync samples (sample_is_non_sync_sample).
inline constexpr uint32_t kKeyframeSampleFlags = 0x02000000;
inline constexpr uint32_t kNonKeyframeSampleFlags = 0x01010000;
inline constexpr uint32_t kSampleIsNonSyncFlag = 0x00010000;
constexpr bool IsKeyframe(uint32_t sample_flags) {
  return (sample_flags & kSampleIsNonSyncFlag) == 0;
}

inline constexpr uint32_t kPrftBytes = 32;
inline constexpr uint32_t kIntegrityBoxBytes = 20;
inline constexpr char kIntegrityMagic[5] = "slck";

}  // namespace sightline::mp4
