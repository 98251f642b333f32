#include "central/catalogue.h"

#include <set>

#include "central/schema_sql.h"

namespace sightline::central {
namespace {

constexpr std::string_view kTables[uplink::kLaneCount] = {"alarms", "events", "audit", "inventory", "health"};

}  // namespace

std::string_view LaneTable(uplink::Lane lane) { return kTables[static_cast<int>(lane)]; }

Result<std::unique_ptr<Catalogue>> Catalogue::Open(const std::string& conninfo) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> pg, PgConnection::Connect(conninfo));
  RETURN_IF_ERROR(pg->ExecScript(kSchemaSql).WithContext("creating the central tables"));
  return std::unique_ptr<Catalogue>(new Catalogue(std::move(pg)));
}

Result<CommitResult> Catalogue::Commit(const std::vector<uplink::Message>& messages) {
  CommitResult result;
  PgTransaction tx(*pg_);
  RETURN_IF_ERROR(tx.Begin());
  std::set<std::string> sites;
  for (const uplink::Message& m : messages) sites.insert(m.site);
  for (const std::string& site : sites) {
    RETURN_IF_ERROR(pg_->Exec("INSERT INTO sites (name) VALUES ($1)"
                              " ON CONFLICT (name) DO UPDATE SET last_seen = now()",
                              {site})
                        .status());
  }
  RETURN_IF_ERROR(InsertMessages(messages, &result));
  ASSIGN_OR_RETURN(auto lanes, WriteWatermarks(messages));
  RETURN_IF_ERROR(tx.Commit());
  // Only now, after the commit, do the watermarks move (invariant 4).
  for (const auto& [key, seqs] : lanes) watermarks_.Apply(key, seqs);
  result.acks = Acks(lanes);
  return result;
}

Status Catalogue::InsertMessages(const std::vector<uplink::Message>& messages, CommitResult* result) {
  for (const uplink::Message& m : messages) {
    const std::string sql = "INSERT INTO " + std::string(LaneTable(m.lane)) +
                            " (site, epoch, seq, kind, time_us, camera, body)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
    ASSIGN_OR_RETURN(PgResult r, pg_->Exec(sql, {m.site, m.epoch, std::to_string(m.seq), m.kind,
                                                  std::to_string(m.time_us), m.camera, m.body}));
    if (r.Affected() == 1) {
      ++result->inserted;
    } else {
      ++result->duplicates;
    }
  }
  return Status();
}

Result<std::map<LaneKey, std::vector<int64_t>>> Catalogue::WriteWatermarks(
    const std::vector<uplink::Message>& messages) {
  std::map<LaneKey, std::vector<int64_t>> lanes;
  for (const uplink::Message& m : messages) lanes[{m.site, m.epoch, m.lane}].push_back(m.seq);
  for (const auto& [key, seqs] : lanes) {
    const std::string lane(uplink::LaneName(key.lane));
    if (!watermarks_.Known(key)) {
      ASSIGN_OR_RETURN(PgResult r, pg_->Exec("SELECT watermark FROM lanes WHERE site = $1 AND epoch = $2 AND lane = $3",
                                             {key.site, key.epoch, lane}));
      watermarks_.Load(key, r.rows() == 1 ? std::stoll(r.Text(0, 0)) : 0);
    }
    RETURN_IF_ERROR(pg_->Exec("INSERT INTO lanes (site, epoch, lane, watermark) VALUES ($1, $2, $3, $4)"
                              " ON CONFLICT (site, epoch, lane)"
                              " DO UPDATE SET watermark = GREATEST(lanes.watermark, EXCLUDED.watermark)",
                              {key.site, key.epoch, lane, std::to_string(watermarks_.Propose(key, seqs))})
                        .status());
  }
  return lanes;
}

std::vector<std::pair<std::string, uplink::Ack>> Catalogue::Acks(
    const std::map<LaneKey, std::vector<int64_t>>& lanes) const {
  std::map<std::pair<std::string, std::string>, uplink::Ack> acks;
  for (const auto& [key, seqs] : lanes) {
    uplink::Ack& ack = acks[{key.site, key.epoch}];
    ack.epoch = key.epoch;
    ack.watermark[static_cast<int>(key.lane)] = watermarks_.Get(key);
  }
  std::vector<std::pair<std::string, uplink::Ack>> out;
  for (auto& [site_epoch, ack] : acks) out.emplace_back(site_epoch.first, std::move(ack));
  return out;
}

}  // namespace sightline::central
