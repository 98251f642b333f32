#include "uplink/forwarder.h"

#include <nlohmann/json.hpp>

namespace sightline::uplink {
namespace {

// Rows read from the outbox per query: a lane with more waiting is read again.
constexpr int kReadBatch = 64;
// The budget's burst: a quarter of a second of the link, at least one largest message.
int64_t BurstBytes(int64_t bytes_per_s) {
  return std::max<int64_t>(bytes_per_s / 4, static_cast<int64_t>(kMaxMessageBytes));
}

}  // namespace

Forwarder::Forwarder(ForwarderOptions options)
    : options_(std::move(options)),
      window_(options_.window, *options_.clock),
      budget_(options_.link_bytes_per_s, BurstBytes(options_.link_bytes_per_s), *options_.clock) {}

Result<std::unique_ptr<Forwarder>> Forwarder::Create(ForwarderOptions options) {
  if (!IsValidSiteName(options.site)) return InvalidArgumentError("uplink: '" + options.site + "' is not a site name");
  std::unique_ptr<Forwarder> f(new Forwarder(std::move(options)));
  // Nothing is in flight yet: only a reconnect after this point needs a rewind.
  f->seen_connections_ = f->options_.link->Connections();
  for (Lane lane : kLanesByPriority) {
    ASSIGN_OR_RETURN(int64_t acked, f->options_.outbox->AcknowledgedThrough(lane));
    f->window_.ResetLane(lane, acked);
    MutexLock lock(f->mu_);  // no other thread yet; the lock keeps the analysis simple
    f->stats_.acked[static_cast<int>(lane)] = acked;
  }
  return f;
}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() { thread_ = std::thread([this] { Run(); }); }

void Forwarder::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void Forwarder::OnAckMessage(std::string_view data) {
  Result<Ack> ack = ParseAck(data);
  MutexLock lock(mu_);
  if (!ack.ok() || ack->epoch != options_.outbox->epoch()) {
    ++stats_.acks_refused;
    SL_LOG(kWarning) << "uplink: site=" << options_.site << " ignoring an acknowledgement: "
                     << (ack.ok() ? "epoch " + ack->epoch + " is not this outbox's" : ack.status().ToString());
    return;
  }
  for (int i = 0; i < kLaneCount; ++i) {
    if (ack->watermark[i] && (!pending_acks_[i] || *pending_acks_[i] < *ack->watermark[i])) {
      pending_acks_[i] = ack->watermark[i];
    }
  }
  wake_ = true;
  cv_.NotifyOne();
}

ForwarderStats Forwarder::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void Forwarder::Run() {
  for (;;) {
    {
      MutexLock lock(mu_);
      const auto deadline = std::chrono::steady_clock::now() + options_.poll_interval;
      while (!wake_ && !stopping_ && cv_.WaitUntil(mu_, deadline)) {
      }
      if (stopping_) return;
      wake_ = false;
    }
    if (Status s = Step(); !s.ok()) {
      int suppressed = 0;
      {
        MutexLock lock(mu_);
        ++stats_.errors;
      }
      if (error_log_.Allow(std::chrono::steady_clock::now(), &suppressed)) {
        SL_LOG(kWarning) << "uplink: site=" << options_.site << " " << s
                         << (suppressed > 0 ? " (" + std::to_string(suppressed) + " more not logged)" : "");
      }
    }
  }
}

Status Forwarder::Step() {
  Link& link = *options_.link;
  if (!link.Connected()) return Status();
  const uint64_t connections = link.Connections();
  if (connections != seen_connections_) {
    // Whatever was in flight may have died with the old connection.
    seen_connections_ = connections;
    window_.RewindAll();
    MutexLock lock(mu_);
    ++stats_.rewinds;
  }
  RETURN_IF_ERROR(ApplyAcks());
  if (window_.RewindIfStalled()) {
    // Once: the centre may have restarted, or messages were lost; resending is enough. Twice in
    // a row: the connection itself may be dead without knowing it (Link::Redial).
    const bool redial = ++stalls_in_a_row_ >= 2;
    {
      MutexLock lock(mu_);
      ++stats_.rewinds;
      if (redial) ++stats_.redials;
    }
    if (redial) {
      stalls_in_a_row_ = 0;
      SL_LOG(kWarning) << "uplink: site=" << options_.site << " no acknowledgement for "
                       << std::chrono::duration_cast<std::chrono::seconds>(2 * options_.window.ack_timeout).count()
                       << " s; dropping the connection and dialling again";
      link.Redial();  // outside mu_: closing waits for the client's threads, whose ack handler takes it
      return Status();
    }
  }
  for (Lane lane : kLanesByPriority) {
    ASSIGN_OR_RETURN(bool drained, SendLane(lane));
    if (!drained) break;
  }
  return Status();
}

Status Forwarder::ApplyAcks() {
  std::array<std::optional<int64_t>, kLaneCount> acks;
  {
    MutexLock lock(mu_);
    acks.swap(pending_acks_);
  }
  for (Lane lane : kLanesByPriority) {
    const std::optional<int64_t>& w = acks[static_cast<int>(lane)];
    if (!w || !window_.OnAck(lane, *w)) continue;
    stalls_in_a_row_ = 0;
    // Only here are rows deleted, and only at or below the centre's watermark (invariant 3).
    RETURN_IF_ERROR(options_.outbox->DeleteThrough(lane, *w));
    MutexLock lock(mu_);
    ++stats_.acks;
    stats_.acked[static_cast<int>(lane)] = *w;
  }
  return Status();
}

Result<bool> Forwarder::SendLane(Lane lane) {
  const std::string subject = UpSubject(options_.site, lane);
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<OutboxRow> rows,
                     options_.outbox->ReadAfter(lane, window_.sent_through(lane), kReadBatch));
    for (const OutboxRow& row : rows) {
      if (row.seq != window_.sent_through(lane) + 1) {
        return DataLossError("outbox lane " + std::string(LaneName(lane)) + " jumps from id " +
                             std::to_string(window_.sent_through(lane)) + " to " + std::to_string(row.seq));
      }
      ASSIGN_OR_RETURN(std::string data, Encode(row));
      if (!window_.Fits(lane, data.size()) || !budget_.TryTake(data.size())) return false;
      RETURN_IF_ERROR(options_.link->Publish(subject, data));
      window_.OnSent(lane, data.size());
      MutexLock lock(mu_);
      ++stats_.messages_sent;
      stats_.bytes_sent += data.size();
    }
    if (rows.size() < static_cast<size_t>(kReadBatch)) return true;
  }
}

Result<std::string> Forwarder::Encode(const OutboxRow& row) {
  Message m{options_.site, options_.outbox->epoch(), row.lane, row.seq, row.kind, row.time_us, row.body, ""};
  ASSIGN_OR_RETURN(std::string data, EncodeMessage(m));
  if (data.size() <= kMaxMessageBytes) return data;
  // Sent as a stub rather than refused by the centre for ever, which would stop the lane.
  m.body = nlohmann::json{{"oversize_bytes", data.size()}}.dump();
  {
    MutexLock lock(mu_);
    ++stats_.oversize;
  }
  SL_LOG(kWarning) << "uplink: site=" << options_.site << " lane=" << LaneName(row.lane) << " id=" << row.seq
                   << " is " << data.size() << " bytes, more than " << kMaxMessageBytes << ": sending a stub";
  return EncodeMessage(m);
}

}  // namespace sightline::uplink
