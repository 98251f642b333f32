#include "central/ingestor.h"

namespace sightline::central {
namespace {

size_t Bytes(const uplink::Message& m) { return m.body.size() + m.site.size() + m.kind.size() + 64; }

}  // namespace

Ingestor::Ingestor(IngestorOptions options, std::unique_ptr<Catalogue> catalogue)
    : options_(std::move(options)), catalogue_(std::move(catalogue)) {}

Result<std::unique_ptr<Ingestor>> Ingestor::Create(IngestorOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Catalogue> catalogue, Catalogue::Open(options.conninfo));
  return std::unique_ptr<Ingestor>(new Ingestor(std::move(options), std::move(catalogue)));
}

Ingestor::~Ingestor() { Stop(); }

void Ingestor::Start() { thread_ = std::thread([this] { Run(); }); }

void Ingestor::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

IngestorStats Ingestor::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void Ingestor::Refuse(const Status& why) {
  {
    MutexLock lock(mu_);
    ++stats_.refused;
  }
  int suppressed = 0;
  if (refusal_log_.Allow(std::chrono::steady_clock::now(), &suppressed)) {
    SL_LOG(kWarning) << "central: refused a message: " << why
                     << (suppressed > 0 ? " (" + std::to_string(suppressed) + " more not logged)" : "");
  }
}

void Ingestor::OnMessage(std::string_view subject, std::string_view data) {
  {
    MutexLock lock(mu_);
    ++stats_.received;
  }
  Result<uplink::Message> m = uplink::ParseMessage(subject, data);
  if (!m.ok()) {
    Refuse(m.status());
    return;
  }
  const size_t bytes = Bytes(*m);
  {
    MutexLock lock(mu_);
    if (queued_bytes_ + bytes > options_.max_queued_bytes) {
      ++stats_.dropped;
      return;
    }
    queued_bytes_ += bytes;
    queue_.push_back(std::move(*m));
  }
  cv_.NotifyOne();
}

void Ingestor::Run() {
  for (;;) {
    std::vector<uplink::Message> batch;
    bool stop;
    {
      MutexLock lock(mu_);
      while (queue_.empty() && !stopping_) cv_.Wait(mu_);
      stop = stopping_;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        queued_bytes_ -= Bytes(queue_.front());
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!batch.empty()) CommitBatch(std::move(batch));
    if (stop) {
      MutexLock lock(mu_);
      if (queue_.empty()) return;  // else commit the rest first
    }
  }
}

bool Ingestor::EnsureCatalogue() {
  if (catalogue_ != nullptr && catalogue_->Healthy()) return true;
  catalogue_.reset();
  Result<std::unique_ptr<Catalogue>> c = Catalogue::Open(options_.conninfo);
  if (c.ok()) {
    SL_LOG(kInfo) << "central: reconnected to PostgreSQL";
    catalogue_ = std::move(*c);
    return true;
  }
  int suppressed = 0;
  if (db_log_.Allow(std::chrono::steady_clock::now(), &suppressed)) {
    SL_LOG(kError) << "central: " << c.status() << "; retrying";
  }
  MutexLock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + options_.reconnect_wait;
  while (!stopping_ && cv_.WaitUntil(mu_, deadline)) {
  }
  return false;
}

void Ingestor::CommitBatch(std::vector<uplink::Message> batch) {
  if (!EnsureCatalogue()) return Drop(batch.size(), UnavailableError("PostgreSQL unavailable"));
  const Status s = CommitAndAcknowledge(batch);
  if (s.code() != StatusCode::kInvalidArgument) {
    if (!s.ok()) Drop(batch.size(), s);
    return;
  }
  // A statement refused over a working connection: one message's data. Commit the messages
  // one by one, so that only the bad one is refused.
  for (const uplink::Message& m : batch) {
    Status one = batch.size() == 1 ? s : CommitAndAcknowledge({m});
    const std::string where = "site=" + m.site + " lane=" + std::string(uplink::LaneName(m.lane)) +
                              " id=" + std::to_string(m.seq);
    if (one.code() == StatusCode::kInvalidArgument) {
      Refuse(std::move(one).WithContext(where));
    } else if (!one.ok()) {
      Drop(1, std::move(one).WithContext(where));
    }
  }
}

void Ingestor::Drop(size_t messages, const Status& why) {
  {
    MutexLock lock(mu_);
    stats_.dropped += messages;
  }
  int suppressed = 0;
  if (db_log_.Allow(std::chrono::steady_clock::now(), &suppressed)) {
    SL_LOG(kWarning) << "central: dropped " << messages << " messages, their sites will resend them: " << why
                     << (suppressed > 0 ? " (" + std::to_string(suppressed) + " more not logged)" : "");
  }
}

Status Ingestor::CommitAndAcknowledge(const std::vector<uplink::Message>& batch) {
  ASSIGN_OR_RETURN(CommitResult r, catalogue_->Commit(batch));
  uint64_t published = 0;
  for (const auto& [site, ack] : r.acks) {
    // A lost acknowledgement costs a resend, nothing more: the site rewinds when acks stall.
    if (options_.link->Publish(uplink::AckSubject(site), uplink::EncodeAck(ack)).ok()) ++published;
  }
  MutexLock lock(mu_);
  stats_.ingested += r.inserted;
  stats_.duplicates += r.duplicates;
  stats_.acks_published += published;
  ++stats_.batches;
  return Status();
}

}  // namespace sightline::central
