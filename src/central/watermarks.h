#pragma once
// Watermarks: for each (site, epoch, lane), the highest id W such that every id 1..W is
// committed in PostgreSQL (docs/design/multisite.md, invariant 4). Ids committed above a gap
// are remembered until the gap fills (a message lost on the way arrives again by the site's
// resend); at most kMaxAbove of them per lane, the highest forgotten first (they come again
// too). Pure; one thread.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "uplink/protocol.h"

namespace sightline::central {

struct LaneKey {
  std::string site;
  std::string epoch;
  uplink::Lane lane;
  friend auto operator<=>(const LaneKey&, const LaneKey&) = default;
};

class Watermarks {
 public:
  static constexpr size_t kMaxAbove = 100'000;

  // Whether the lane's stored watermark has been loaded (Load) this run.
  bool Known(const LaneKey& key) const { return lanes_.contains(key); }
  // The watermark stored in PostgreSQL when first seeing the lane.
  void Load(const LaneKey& key, int64_t watermark);
  // The watermark the lane would have with `seqs` committed too; changes nothing.
  int64_t Propose(const LaneKey& key, const std::vector<int64_t>& seqs) const;
  // Records `seqs` as committed; returns the new watermark.
  int64_t Apply(const LaneKey& key, const std::vector<int64_t>& seqs);
  std::optional<int64_t> Get(const LaneKey& key) const;

 private:
  struct Lane {
    int64_t watermark = 0;
    std::set<int64_t> above;  // committed ids > watermark + 1
  };
  static void Advance(Lane& lane, const std::vector<int64_t>& seqs);
  std::map<LaneKey, Lane> lanes_;
};

}  // namespace sightline::central
