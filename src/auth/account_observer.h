#pragma once
// AccountObserver: told when a user's account changed, so that what was granted on the
// account's strength earlier (an open live view) can be asked for again. The HTTP layer
// implements it; auth knows nothing of sockets.

#include <cstdint>
#include <string_view>

namespace sightline::auth {

struct AccountChange {
  int64_t user_id = 0;
  // What changed, as the audit log names it: kAuditLogout, kAuditUserPassword,
  // kAuditUserDisable, kAuditUserDelete, kAuditUserRole, kAuditCameraRevoke, ...
  std::string_view action;
};

class AccountObserver {
 public:
  virtual ~AccountObserver() = default;
  // Called after the change was committed, on the thread that made it, without any of the
  // store's locks held (the observer may call the store), one notification at a time. Must
  // not add or remove observers.
  virtual void OnAccountChanged(const AccountChange& change) = 0;
};

}  // namespace sightline::auth
