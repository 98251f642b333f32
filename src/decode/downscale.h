#pragma once
// FastDownscale: media::Downscale (area average), bit-identical for every input, with an SSE2
// path for halving both dimensions, the common case of a 640x360 substream analysed at 320x180:
// 7 us instead of 107 us of CPU, which was a third of the cost of analysing a frame
// (docs/bench/motion_cost.md). Other ratios go to media::Downscale: at 1080p to 320x180 it
// costs under 2% of decoding the frame. Pure; safe from any thread.

#include "media/grey.h"

namespace sightline::decode {

media::GreyPlane FastDownscale(media::GreyView src, int out_width, int out_height);

}  // namespace sightline::decode
