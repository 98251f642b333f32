// GET /api/cameras/{camera}/live: the live view over a WebSocket (docs/ref/api.md "Live view").

#include "api/context.h"
#include "api/credential.h"
#include "api/live_socket.h"
#include "api/live_sockets.h"
#include "live/viewer.h"

namespace sightline::api {
namespace {

// A live viewer on a WebSocket: the socket's bounded queue is the viewer's queue.
class WebSocketViewer : public live::Viewer {
 public:
  explicit WebSocketViewer(std::shared_ptr<http::WebSocket> ws) : ws_(std::move(ws)) {}
  bool Send(std::shared_ptr<const std::string> message, bool binary) override {
    return ws_->Send(std::move(message), binary);
  }

 private:
  std::shared_ptr<http::WebSocket> ws_;
};

// A view admitted to LiveSockets: untracked when its socket closes, or when the upgrade
// failed and the socket never opened (the open callback holding it is dropped uncalled).
class TrackedView {
 public:
  TrackedView(LiveSockets* sockets, uint64_t id) : sockets_(sockets), id_(id) {}
  ~TrackedView() {
    if (!opened_) sockets_->Untrack(id_);
  }
  TrackedView(const TrackedView&) = delete;
  TrackedView& operator=(const TrackedView&) = delete;

  void Open(live::StreamHub* hub, const std::shared_ptr<http::WebSocket>& ws) {
    opened_ = true;
    SubscribeLiveSocket(hub, ws, [sockets = sockets_, id = id_] { sockets->Untrack(id); });
    sockets_->Attach(id_, ws);
  }

 private:
  LiveSockets* sockets_;
  uint64_t id_;
  bool opened_ = false;
};

}  // namespace

void SubscribeLiveSocket(live::StreamHub* hub, const std::shared_ptr<http::WebSocket>& ws,
                         std::function<void()> on_close) {
  const uint64_t id = hub->Subscribe(std::make_shared<WebSocketViewer>(ws));
  ws->OnClose([hub, id, on_close = std::move(on_close)] {
    hub->Unsubscribe(id);
    if (on_close) on_close();
  });
}

void AddLiveRoutes(const ContextPtr& ctx, http::Router& router) {
  LiveSockets* sockets = ctx->deps().live_sockets;
  router.AddWebSocket("/api/cameras/{camera}/live", [ctx, sockets](http::Request& r) -> http::WebSocketResult {
    if (sockets == nullptr) {
      return ErrorResponse(InternalError("live view without ApiDeps::live_sockets: an open view could outlive its access"));
    }
    // Before the checks: a change to the account from here on is seen by Admit.
    const LiveSockets::Ticket ticket = sockets->BeginOpen();
    Result<auth::User> user = ctx->Authenticate(r);
    if (!user.ok()) return ErrorResponse(user.status());
    Result<CameraStatus> camera = ctx->ViewableCamera(*user, r.Param("camera"));
    if (!camera.ok()) {
      if (camera.status().code() == StatusCode::kPermissionDenied) {
        ctx->AuditDenied(*user, r, camera.status());
      }
      return ErrorResponse(camera.status());
    }
    const std::string stream = r.Query("stream", camera->live_stream);
    live::StreamHub* hub = ctx->deps().cameras->Hub(camera->name, stream);
    if (hub == nullptr) {
      return ErrorResponse(NotFoundError("Camera " + camera->name + " has no stream named " +
                                         stream + "."));
    }
    Result<uint64_t> id = sockets->Admit(ticket, CredentialOf(r, ctx->SessionCookieName(r)), *user, camera->name);
    if (!id.ok()) return ErrorResponse(id.status());
    ctx->Audit(*user, r, auth::kAuditLive, camera->name, ctx->NowUs(), 0, stream);
    auto view = std::make_shared<TrackedView>(sockets, *id);
    return http::WebSocketOpen([hub, view](std::shared_ptr<http::WebSocket> ws) { view->Open(hub, ws); });
  });
}

}  // namespace sightline::api
