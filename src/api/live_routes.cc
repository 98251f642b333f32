// GET /api/cameras/{camera}/live: the live view over a WebSocket (docs/ref/api.md "Live view").

#include "api/context.h"
#include "api/live_socket.h"
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

}  // namespace

void SubscribeLiveSocket(live::StreamHub* hub, const std::shared_ptr<http::WebSocket>& ws) {
  const uint64_t id = hub->Subscribe(std::make_shared<WebSocketViewer>(ws));
  ws->OnClose([hub, id] { hub->Unsubscribe(id); });
}

void AddLiveRoutes(const ContextPtr& ctx, http::Router& router) {
  router.AddWebSocket("/api/cameras/{camera}/live", [ctx](http::Request& r) -> http::WebSocketResult {
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
    ctx->Audit(*user, r, auth::kAuditLive, camera->name, ctx->NowUs(), 0, stream);
    return http::WebSocketOpen([hub](std::shared_ptr<http::WebSocket> ws) { SubscribeLiveSocket(hub, ws); });
  });
}

}  // namespace sightline::api
