#include "uplink/nats_client.h"

#include <nats/nats.h>

#include "base/logging.h"

namespace sightline::uplink {
namespace {

// Reconnect attempts are this far apart (libnats adds jitter); pings every kPingInterval, and
// kMaxPingsOut unanswered ones end a connection that the network silently dropped.
constexpr int64_t kReconnectWaitMs = 1000;
constexpr int64_t kPingIntervalMs = 5000;
constexpr int kMaxPingsOut = 3;
constexpr int64_t kConnectTimeoutMs = 5000;

Status NatsError(std::string_view what, natsStatus s) {
  return UnavailableError("nats: " + std::string(what) + ": " + natsStatus_GetText(s));
}

struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};

}  // namespace

struct NatsClient::Subscription {
  Handler handler;
  natsSubscription* sub = nullptr;
  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
    const char* data = natsMsg_GetData(msg);
    static_cast<Subscription*>(self)->handler(
        natsMsg_GetSubject(msg), std::string_view(data ? data : "", static_cast<size_t>(natsMsg_GetDataLength(msg))));
    natsMsg_Destroy(msg);
  }
  ~Subscription() { natsSubscription_Destroy(sub); }
};

void ShutdownNatsLibrary() { nats_Close(); }

Result<std::unique_ptr<NatsClient>> NatsClient::Connect(const NatsOptions& options) {
  natsOptions* raw = nullptr;
  if (natsStatus s = natsOptions_Create(&raw); s != NATS_OK) return NatsError("options", s);
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw);
  std::unique_ptr<NatsClient> client(new NatsClient());
  client->url_ = options.url;
  natsStatus s = natsOptions_SetURL(raw, options.url.c_str());
  if (s == NATS_OK && !options.name.empty()) s = natsOptions_SetName(raw, options.name.c_str());
  if (s == NATS_OK && !options.credentials_path.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(raw, options.credentials_path.c_str(), nullptr);
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(raw, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(raw, kReconnectWaitMs);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(raw, kPingIntervalMs);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(raw, kMaxPingsOut);
  if (s == NATS_OK) s = natsOptions_SetTimeout(raw, kConnectTimeoutMs);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(raw, &NatsClient::OnDisconnected, client.get());
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(raw, &NatsClient::OnConnected, client.get());
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(raw, true, &NatsClient::OnConnected, client.get());
  if (s != NATS_OK) return NatsError("options for " + options.url, s);
  s = natsConnection_Connect(&client->nc_, raw);
  if (s == NATS_OK) {
    client->connections_ = 1;
  } else if (s != NATS_NOT_YET_CONNECTED) {
    return NatsError("connect to " + options.url, s);
  } else {
    SL_LOG(kWarning) << "nats: " << options.url << " does not answer yet; retrying in the background";
  }
  return client;
}

NatsClient::~NatsClient() {
  // Closing first waits for the connection's threads, so no callback runs on a dead object.
  if (nc_ != nullptr) natsConnection_Close(nc_);
  subscriptions_.clear();
  natsConnection_Destroy(nc_);
}

void NatsClient::OnConnected(natsConnection*, void* self) {
  auto* client = static_cast<NatsClient*>(self);
  ++client->connections_;
  SL_LOG(kInfo) << "nats: connected to " << client->url_;
}

void NatsClient::OnDisconnected(natsConnection*, void* self) {
  SL_LOG(kWarning) << "nats: disconnected from " << static_cast<NatsClient*>(self)->url_ << "; reconnecting";
}

Status NatsClient::Subscribe(const std::string& subject, Handler handler) {
  auto sub = std::make_unique<Subscription>();
  sub->handler = std::move(handler);
  if (natsStatus s = natsConnection_Subscribe(&sub->sub, nc_, subject.c_str(), &Subscription::OnMessage, sub.get());
      s != NATS_OK) {
    return NatsError("subscribe " + subject, s);
  }
  subscriptions_.push_back(std::move(sub));
  return Status();
}

bool NatsClient::Connected() const { return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED; }

Status NatsClient::Publish(const std::string& subject, std::string_view data) {
  if (!Connected()) return UnavailableError("nats: not connected to " + url_);
  natsStatus s = natsConnection_Publish(nc_, subject.c_str(), data.data(), static_cast<int>(data.size()));
  return s == NATS_OK ? Status() : NatsError("publish " + subject, s);
}

}  // namespace sightline::uplink
