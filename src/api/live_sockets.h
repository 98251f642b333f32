#pragma once
// LiveSockets: the open live views, by user, so that a change to an account ends the views it
// no longer allows (security review 1, H2: a disabled, revoked or logged-out user's socket
// kept streaming). Each view keeps the credential it was opened with and its camera; "may it
// still watch?" is the question the upgrade asked, asked again: authenticate the credential,
// then User::CanView(camera). A view that fails is closed with 1008 (policy violation).
//
// Asked again (1) at once, on the thread of the change, for every view of a user whose
// account changed (logout, password, role, disable, delete, grants, tokens: the AccountStore
// tells its observers), and (2) every `recheck_interval` for every view, as the backstop for
// what no notification covers: sessions that expire, changes made by `sightline user` in
// another process. A credential that cannot be checked for another reason (the database is
// busy) keeps its view until the next check.
//
// Opening a view is three steps so that a change racing with the upgrade is never missed:
// BeginOpen() before authenticating, Admit() after the checks passed (it asks again if any
// account changed meanwhile), Attach() once the socket is open (on the strand; it never
// blocks). Untrack() when the socket closed.
//
// Threads: all methods are thread-safe. Admit, OnAccountChanged and RecheckAll query the
// AccountStore (SQLite): never call them on a network thread. Lifetime: `accounts` and `clock`
// must outlive this object, and this object the HTTP server whose routes use it. Call
// StopChecks() before the io_context that runs the sockets is destroyed: a check holds a
// socket while it closes it, and must never be the last to let go of one whose io_context is
// gone (CI saw that as a segfault at a test's teardown).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "api/credential.h"
#include "auth/account_observer.h"
#include "auth/account_store.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "http/websocket.h"

namespace sightline::api {

struct LiveSocketsOptions {
  std::chrono::milliseconds recheck_interval{30'000};  // by `clock`
  // How often the backstop's thread reads the clock (real time).
  std::chrono::milliseconds poll_interval{1'000};
};

class LiveSockets final : public auth::AccountObserver {
 public:
  // Registers as an observer of `accounts` and starts the backstop's thread.
  LiveSockets(auth::AccountStore& accounts, const Clock& clock, LiveSocketsOptions options = {});
  ~LiveSockets() override;  // StopChecks()
  LiveSockets(const LiveSockets&) = delete;
  LiveSockets& operator=(const LiveSockets&) = delete;

  struct Ticket {
    uint64_t changes_seen = 0;
  };
  Ticket BeginOpen() const;
  // Records a view about to open; its id, or the error to refuse the upgrade with when an
  // account change since `ticket` took the access away.
  Result<uint64_t> Admit(const Ticket& ticket, Credential credential, const auth::User& user,
                         std::string camera);
  // The view's socket is open. Closes it at once if the view was refused meanwhile.
  void Attach(uint64_t id, const std::shared_ptr<http::WebSocket>& ws);
  // Forgets the view (its socket closed, or never opened). Idempotent.
  void Untrack(uint64_t id);

  // Asks again for every view of the changed user.
  void OnAccountChanged(const auth::AccountChange& change) override;
  // Asks again for every view now; returns how many were closed.
  size_t RecheckAll();
  // Ends the periodic checks and joins their thread. Idempotent.
  void StopChecks() SL_EXCLUDES(stop_mu_);

  size_t size() const;

 private:
  struct View {
    Credential credential;
    int64_t user_id = 0;
    std::string user_name;  // for the log
    std::string camera;
    bool attached = false;
    std::weak_ptr<http::WebSocket> ws;  // set by Attach
    std::string refusal;                // set when refused before Attach
  };
  using Views = std::map<uint64_t, View>;

  // Why `view` may no longer watch (Unauthenticated, PermissionDenied), or OK when it may or
  // cannot be checked now. `user` is the credential's user, as authenticated just now.
  Status Check(const View& view, const Result<auth::User>& user);
  // Checks each view and closes those that fail; returns how many.
  size_t Recheck(const Views& views, std::string_view why);
  void Close(uint64_t id, const Status& reason, std::string_view why);
  void BackstopLoop();
  // Waits up to `timeout` for the destructor; true once stopping.
  bool WaitForStop(std::chrono::steady_clock::duration timeout) SL_EXCLUDES(stop_mu_);

  auth::AccountStore& accounts_;
  const Clock& clock_;
  const LiveSocketsOptions options_;

  mutable Mutex mu_;
  Views views_ SL_GUARDED_BY(mu_);
  uint64_t next_id_ SL_GUARDED_BY(mu_) = 1;
  uint64_t changes_ SL_GUARDED_BY(mu_) = 0;  // account changes heard of

  Mutex stop_mu_;
  CondVar stop_cv_;
  bool stop_ SL_GUARDED_BY(stop_mu_) = false;
  std::thread backstop_;
};

}  // namespace sightline::api
