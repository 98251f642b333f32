#pragma once
// NatsClient: one libnats connection that never gives up. Connect returns at once, also when
// no server answers: libnats retries in its own threads, forever, and resubscribes after each
// reconnect. Publishing while disconnected is refused (the outbox holds the data, not the
// library's reconnect buffer). Used by the site's forwarder and by `sightline central`.
// Thread-safe; subscription handlers run on libnats' threads and must not block for long.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "uplink/link.h"

struct __natsConnection;
struct __natsOptions;
struct __natsSubscription;

namespace sightline::uplink {

struct NatsOptions {
  std::string url;               // nats://HOST:PORT
  std::string credentials_path;  // a .creds file (JWT + NKey seed); empty: none
  std::string name;              // shown by the server's monitoring
};

// Releases libnats' process-wide state (its threads and buffers), so that leak checkers see a
// clean exit. Call once, at the end of the process, after every NatsClient is destroyed.
void ShutdownNatsLibrary();

class NatsClient final : public Link {
 public:
  using Handler = std::function<void(std::string_view subject, std::string_view data)>;

  static Result<std::unique_ptr<NatsClient>> Connect(const NatsOptions& options);
  ~NatsClient() override;  // closes the connection; no handler runs after it returns
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;

  // Subscribes `handler` to `subject` (wildcards allowed) for the client's lifetime, also
  // across Redial. Before the forwarder starts.
  Status Subscribe(const std::string& subject, Handler handler);

  // From any thread.
  bool Connected() const override { return connected_.load(); }
  uint64_t Connections() const override { return connections_.load(); }
  // From any thread, but never while Redial runs (the site has one publishing thread, the
  // forwarder's, which is also the one that redials).
  Status Publish(const std::string& subject, std::string_view data) override;
  void Redial() override;

 private:
  struct Subscription;
  NatsClient() = default;
  static void OnConnected(__natsConnection* nc, void* self);
  static void OnDisconnected(__natsConnection* nc, void* self);
  static void OnClosed(__natsConnection* nc, void* self);
  // Closes nc_ and waits for its last callback; then destroys it and its subscriptions.
  void CloseConnection();
  // Connects nc_ (or starts retrying in the background) and subscribes every subscription.
  Status Dial();

  __natsOptions* opts_ = nullptr;
  __natsConnection* nc_ = nullptr;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;
  std::atomic<uint64_t> connections_{0};
  std::atomic<bool> connected_{false};  // as the callbacks last said
  Mutex mu_;
  CondVar closed_cv_;
  uint64_t closed_ SL_GUARDED_BY(mu_) = 0;  // closed callbacks so far
  std::string url_;
};

}  // namespace sightline::uplink
