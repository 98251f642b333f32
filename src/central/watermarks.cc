#include "central/watermarks.h"

namespace sightline::central {

void Watermarks::Load(const LaneKey& key, int64_t watermark) { lanes_[key] = Lane{watermark, {}}; }

void Watermarks::Advance(Lane& lane, const std::vector<int64_t>& seqs) {
  for (int64_t seq : seqs) {
    if (seq > lane.watermark) lane.above.insert(seq);
  }
  while (!lane.above.empty() && *lane.above.begin() <= lane.watermark + 1) {
    lane.watermark = std::max(lane.watermark, *lane.above.begin());
    lane.above.erase(lane.above.begin());
  }
  while (lane.above.size() > kMaxAbove) lane.above.erase(std::prev(lane.above.end()));
}

int64_t Watermarks::Propose(const LaneKey& key, const std::vector<int64_t>& seqs) const {
  auto it = lanes_.find(key);
  Lane copy = it == lanes_.end() ? Lane{} : it->second;
  Advance(copy, seqs);
  return copy.watermark;
}

int64_t Watermarks::Apply(const LaneKey& key, const std::vector<int64_t>& seqs) {
  Lane& lane = lanes_[key];
  Advance(lane, seqs);
  return lane.watermark;
}

std::optional<int64_t> Watermarks::Get(const LaneKey& key) const {
  auto it = lanes_.find(key);
  if (it == lanes_.end()) return std::nullopt;
  return it->second.watermark;
}

}  // namespace sightline::central
