#include "auth/audit_maintenance.h"

#include "base/logging.h"

namespace sightline::auth {

AuditMaintenance::AuditMaintenance(AccountStore& accounts, AuditMaintenanceOptions options)
    : accounts_(accounts), options_(options), thread_([this] { Loop(); }) {}

AuditMaintenance::~AuditMaintenance() { Stop(); }

void AuditMaintenance::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (Status s = accounts_.FlushAudit(/*all=*/true); !s.ok()) {
    SL_LOG(kError) << "audit: writing the pending rows at stop: " << s;
  }
}

void AuditMaintenance::Loop() {
  auto next_retention = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    if (Status s = accounts_.FlushAudit(); !s.ok()) {
      SL_LOG(kError) << "audit: flush: " << s;
    }
    if (std::chrono::steady_clock::now() >= next_retention) {
      next_retention += options_.retention_interval;
      Result<int64_t> dropped = accounts_.ApplyAuditRetention(options_.retention);
      if (!dropped.ok()) {
        SL_LOG(kError) << "audit: retention: " << dropped.status();
      } else if (*dropped > 0) {
        SL_LOG(kInfo) << "audit: retention dropped " << *dropped << " rows";
      }
    }
    lock.lock();
    wake_.wait_for(lock, options_.flush_interval, [this] { return stop_; });
  }
}

}  // namespace sightline::auth
