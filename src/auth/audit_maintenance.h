#pragma once
// AuditMaintenance: the audit log's background work in `sightline run`: writes the grouped rows
// that are due (AccountStore::FlushAudit) every `flush_interval`, and applies retention
// (AccountStore::ApplyAuditRetention) at start and every `retention_interval`. Its own thread,
// so that neither the network threads nor a request wait for it.
//
// Lifetime: `accounts` must outlive it. Stop() (or the destructor) ends the thread and writes
// every pending grouped row, so a clean stop loses none. Thread-safe.

#include <chrono>
#include <thread>

#include "auth/account_store.h"
#include "base/mutex.h"

namespace sightline::auth {

struct AuditMaintenanceOptions {
  std::chrono::seconds retention{400 * 24 * 3600};  // config auth.audit_retention
  std::chrono::milliseconds flush_interval{5000};
  std::chrono::milliseconds retention_interval{3600 * 1000};
};

class AuditMaintenance {
 public:
  AuditMaintenance(AccountStore& accounts, AuditMaintenanceOptions options);
  ~AuditMaintenance();
  AuditMaintenance(const AuditMaintenance&) = delete;
  AuditMaintenance& operator=(const AuditMaintenance&) = delete;

  void Stop();

 private:
  void Loop();
  // Waits up to `timeout` for Stop(); true once stopping.
  bool WaitForStop(std::chrono::steady_clock::duration timeout) SL_EXCLUDES(mu_);

  AccountStore& accounts_;
  const AuditMaintenanceOptions options_;
  Mutex mu_;
  CondVar wake_;
  bool stop_ SL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sightline::auth
