#pragma once
// Viewer: where a StreamHub sends a live viewer's messages. The HTTP layer implements it over
// a WebSocket; tests use a fake.
//
// Send is called with the hub's mutex held, from the camera's network thread: it must only
// queue, never block or call back into the hub.

#include <memory>
#include <string>

namespace sightline::live {

class Viewer {
 public:
  virtual ~Viewer() = default;
  // Queues one message. Returns false, queueing nothing, when the viewer's queue is over its
  // bound (the hub then skips to the next keyframe) or the viewer is gone.
  virtual bool Send(std::shared_ptr<const std::string> message, bool binary) = 0;
};

}  // namespace sightline::live
