#pragma once
// FailedLoginSummary: failed logins become at most one audit row per remote address and
// minute, with their count, the names tried and why each failed. Anyone who can reach the
// login can cause these rows; a row per attempt would let them grow the log (and its fsyncs)
// at will (security review L10).
//
// The minute of an address starts at its first failure; its row is due when the minute has
// passed (TakeDue, or the next failure from that address after it) and carries the time of the
// first failure. A single failure reads as before: the name as the user, the reason as the
// detail. Pure: the caller passes the time and writes the rows; AccountStore does, and writes
// the pending ones at its destruction. Thread-compatible.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit_log.h"

namespace sightline::auth {

struct FailedLoginSummaryOptions {
  int64_t window_us = 60'000'000;
  size_t max_names = 8;          // per row; more are counted, not named
  size_t max_addresses = 10000;  // pending at once; beyond, every pending row is written early
};

class FailedLoginSummary {
 public:
  explicit FailedLoginSummary(FailedLoginSummaryOptions options = {}) : options_(options) {}

  // Counts a failure at `now_us`; returns rows that became due. `name` is what was typed (the
  // caller cuts it), `reason` e.g. "wrong password".
  std::vector<AuditRecord> Add(std::string_view remote, std::string_view name,
                               std::string_view reason, int64_t now_us);
  std::vector<AuditRecord> TakeDue(int64_t now_us);
  std::vector<AuditRecord> TakeAll();
  size_t pending() const { return windows_.size(); }

 private:
  struct Window {
    int64_t first_us = 0;
    int64_t last_us = 0;
    int64_t count = 0;
    int64_t unnamed = 0;  // failures of names beyond max_names
    // name -> reason -> count, in name order
    std::map<std::string, std::map<std::string, int64_t>> names{};
  };
  static AuditRecord RowOf(const std::string& remote, const Window& w);

  FailedLoginSummaryOptions options_;
  std::map<std::string, Window> windows_;  // by remote address
};

}  // namespace sightline::auth
