#include "api/live_sockets.h"

#include <vector>

#include "base/logging.h"

namespace sightline::api {

LiveSockets::LiveSockets(auth::AccountStore& accounts, const Clock& clock, LiveSocketsOptions options)
    : accounts_(accounts), clock_(clock), options_(options) {
  accounts_.AddObserver(this);
  backstop_ = std::thread([this] { BackstopLoop(); });
}

LiveSockets::~LiveSockets() {
  accounts_.RemoveObserver(this);
  StopChecks();
}

void LiveSockets::StopChecks() {
  {
    MutexLock lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.NotifyAll();
  if (backstop_.joinable()) backstop_.join();
}

LiveSockets::Ticket LiveSockets::BeginOpen() const {
  MutexLock lock(mu_);
  return {changes_};
}

Result<uint64_t> LiveSockets::Admit(const Ticket& ticket, Credential credential, const auth::User& user,
                                    std::string camera) {
  View view{std::move(credential), user.id, user.name, std::move(camera), false, {}, {}};
  uint64_t id = 0;
  bool changed = false;
  {
    MutexLock lock(mu_);
    id = next_id_++;
    views_.emplace(id, view);
    changed = changes_ != ticket.changes_seen;
  }
  // An account changed between the caller's checks and now; its notification may have
  // missed this view. (One that comes later finds it in views_.)
  if (changed) {
    if (Status s = Check(view, Authenticate(accounts_, view.credential)); !s.ok()) {
      Untrack(id);
      return s;
    }
  }
  return id;
}

void LiveSockets::Attach(uint64_t id, const std::shared_ptr<http::WebSocket>& ws) {
  std::string refusal = "This live view is no longer tracked.";  // fail closed; not expected
  {
    MutexLock lock(mu_);
    auto it = views_.find(id);
    if (it != views_.end()) {
      if (it->second.refusal.empty()) {
        it->second.attached = true;
        it->second.ws = ws;
        return;
      }
      refusal = std::move(it->second.refusal);
      views_.erase(it);
    }
  }
  ws->Close(refusal, http::kClosePolicyViolation);
}

void LiveSockets::Untrack(uint64_t id) {
  MutexLock lock(mu_);
  views_.erase(id);
}

void LiveSockets::OnAccountChanged(const auth::AccountChange& change) {
  Views views;
  {
    MutexLock lock(mu_);
    ++changes_;
    for (const auto& [id, view] : views_) {
      if (view.user_id == change.user_id) views.emplace(id, view);
    }
  }
  Recheck(views, change.action);
}

size_t LiveSockets::RecheckAll() {
  Views views;
  {
    MutexLock lock(mu_);
    views = views_;
  }
  return Recheck(views, "periodic check");
}

size_t LiveSockets::size() const {
  MutexLock lock(mu_);
  return views_.size();
}

Status LiveSockets::Check(const View& view, const Result<auth::User>& user) {
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kUnauthenticated) return user.status();
    SL_LOG(kWarning) << "live: cannot check the view of user=" << view.user_name << " camera=" << view.camera
                     << " now, keeping it until the next check: " << user.status();
    return Status();
  }
  if (user->id != view.user_id) return UnauthenticatedError("The session belongs to someone else now.");
  if (!user->CanView(view.camera)) {
    return PermissionDeniedError("You no longer have access to camera " + view.camera + ".");
  }
  return Status();
}

size_t LiveSockets::Recheck(const Views& views, std::string_view why) {
  // Views opened with the same credential (a wall of cameras) authenticate once.
  std::map<std::pair<Credential::Kind, std::string>, Result<auth::User>> users;
  size_t closed = 0;
  for (const auto& [id, view] : views) {
    const auto key = std::pair(view.credential.kind, view.credential.secret);
    auto it = users.find(key);
    if (it == users.end()) it = users.emplace(key, Authenticate(accounts_, view.credential)).first;
    if (Status s = Check(view, it->second); !s.ok()) {
      Close(id, s, why);
      ++closed;
    }
  }
  return closed;
}

void LiveSockets::Close(uint64_t id, const Status& reason, std::string_view why) {
  std::shared_ptr<http::WebSocket> ws;
  {
    MutexLock lock(mu_);
    auto it = views_.find(id);
    if (it == views_.end()) return;
    SL_LOG(kInfo) << "live: closing the view of user=" << it->second.user_name << " camera=" << it->second.camera
                  << " after " << why << ": " << reason.message();
    if (!it->second.attached) {
      it->second.refusal = reason.message();  // Attach closes it
      return;
    }
    ws = it->second.ws.lock();
    views_.erase(it);
  }
  // Outside mu_; Close never blocks, and the socket's OnClose (Untrack) runs later on its strand.
  if (ws != nullptr) ws->Close(reason.message(), http::kClosePolicyViolation);
}

void LiveSockets::BackstopLoop() {
  MonoTime last = clock_.Now();
  while (!WaitForStop(options_.poll_interval)) {
    if (clock_.Now() - last < options_.recheck_interval) continue;
    last = clock_.Now();
    RecheckAll();
  }
}

bool LiveSockets::WaitForStop(std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(stop_mu_);
  while (!stop_ && stop_cv_.WaitUntil(stop_mu_, deadline)) {
  }
  return stop_;
}

}  // namespace sightline::api
