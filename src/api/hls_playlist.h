#pragma once
// HLS playlists (RFC 8216bis, version 7, fMP4) over stored segment files: every fragment (GOP)
// of a segment becomes one media segment addressed by EXT-X-BYTERANGE into the file as it is,
// so playback reads the recording without copying or remuxing it. Pure.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/index.h"

namespace sightline::api {

struct PlaylistRequest {
  int64_t start_us = 0;  // fragments overlapping [start_us, end_us)
  int64_t end_us = 0;
  bool complete = false;  // the range is in the past: VOD with EXT-X-ENDLIST, else EVENT
};

// `segments` in time order (Index::SegmentsInRange). Each file is referenced as
// "segments/<id>.mp4", relative to the playlist. A gap of more than `kGapUs` between fragments, or
// a change of codec or resolution, is marked with EXT-X-DISCONTINUITY, and every file starts with
// its EXT-X-MAP (its own init segment) and an EXT-X-PROGRAM-DATE-TIME: the player's timeline then
// covers only recorded time and the UI maps it to wall time. Errors: a corrupt fragment table
// (names the segment).
Result<std::string> HlsPlaylist(const std::vector<store::SegmentRow>& segments,
                                const PlaylistRequest& request);

inline constexpr int64_t kGapUs = 1'000'000;

}  // namespace sightline::api
