#include "auth/audit_maintenance.h"

#include "base/logging.h"

namespace sightline::auth {

AuditMaintenance::AuditMaintenance(AccountStore& accounts, AuditMaintenanceOptions options)
    : accounts_(accounts), options_(options), thread_([this] { Loop(); }) {}

AuditMaintenance::~AuditMaintenance() { Stop(); }

void AuditMaintenance::Stop() {
  {
    MutexLock lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
  if (Status s = accounts_.FlushAudit(/*all=*/true); !s.ok()) {
    SL_LOG(kError) << "audit: writing the pending rows at stop: " << s;
  }
}

void AuditMaintenance::Loop() {
  auto next_retention = std::chrono::steady_clock::now();
  while (!WaitForStop(std::chrono::steady_clock::duration::zero())) {
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
    if (WaitForStop(options_.flush_interval)) return;
  }
}

bool AuditMaintenance::WaitForStop(std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (!stop_ && wake_.WaitUntil(mu_, deadline)) {
  }
  return stop_;
}

}  // namespace sightline::auth
