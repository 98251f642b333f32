#include "auth/failed_login_summary.h"

#include "auth/account_store.h"

namespace sightline::auth {

AuditRecord FailedLoginSummary::RowOf(const std::string& remote, const Window& w) {
  AuditRecord r{.time_us = w.first_us,
                .action = std::string(kAuditLogin),
                .remote = remote,
                .ok = false};
  if (w.names.size() == 1 && w.unnamed == 0) r.user = w.names.begin()->first;
  if (w.count == 1 && !w.names.empty()) {
    r.detail = w.names.begin()->second.begin()->first;
    return r;
  }
  // "5 failed logins in 41 s: admin: wrong password 4; root: unknown user 1"
  r.detail = std::to_string(w.count) + " failed logins in " +
             std::to_string((w.last_us - w.first_us) / 1'000'000) + " s:";
  bool first_name = true;
  for (const auto& [name, reasons] : w.names) {
    r.detail += (first_name ? " " : "; ") + name + ":";
    first_name = false;
    bool first_reason = true;
    for (const auto& [reason, n] : reasons) {
      r.detail += (first_reason ? " " : ", ") + reason + " " + std::to_string(n);
      first_reason = false;
    }
  }
  if (w.unnamed > 0) r.detail += "; other names: " + std::to_string(w.unnamed);
  return r;
}

std::vector<AuditRecord> FailedLoginSummary::Add(std::string_view remote, std::string_view name,
                                                 std::string_view reason, int64_t now_us) {
  std::vector<AuditRecord> done;
  auto it = windows_.find(std::string(remote));
  if (it != windows_.end() && now_us - it->second.first_us >= options_.window_us) {
    done.push_back(RowOf(it->first, it->second));
    windows_.erase(it);
    it = windows_.end();
  }
  if (it == windows_.end()) {
    if (windows_.size() >= options_.max_addresses) {
      // Many addresses at once (a spray from a large network): write them all now rather than
      // hold an unbounded map. The login throttle bounds how fast this can recur.
      std::vector<AuditRecord> all = TakeAll();
      done.insert(done.end(), all.begin(), all.end());
    }
    it = windows_.emplace(std::string(remote), Window{.first_us = now_us}).first;
  }
  Window& w = it->second;
  w.last_us = now_us;
  ++w.count;
  auto named = w.names.find(std::string(name));
  if (named == w.names.end() && w.names.size() >= options_.max_names) {
    ++w.unnamed;
  } else {
    ++w.names[std::string(name)][std::string(reason)];
  }
  return done;
}

std::vector<AuditRecord> FailedLoginSummary::TakeDue(int64_t now_us) {
  std::vector<AuditRecord> done;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now_us - it->second.first_us >= options_.window_us) {
      done.push_back(RowOf(it->first, it->second));
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  return done;
}

std::vector<AuditRecord> FailedLoginSummary::TakeAll() {
  std::vector<AuditRecord> done;
  for (const auto& [remote, w] : windows_) done.push_back(RowOf(remote, w));
  windows_.clear();
  return done;
}

}  // namespace sightline::auth
