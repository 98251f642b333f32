#include "uplink/nats_client.h"

#include <nats/nats.h>

#include "base/logging.h"

namespace sightline::uplink {
namespace {

// Reconnect attempts are this far apart (libnats adds jitter); pings every kPingInterval, and
// kMaxPingsOut unanswered ones end a connection that the network silently dropped.
// Pings are the link's idle cost (about 300 bytes a round): every 30 s they cost about 0.9 MB
// a day (issue 12: at most 2 MB). A connection dead while data flows is found sooner, by the
// forwarder's stalled acknowledgements (Redial).
constexpr int64_t kReconnectWaitMs = 1000;
constexpr int64_t kPingIntervalMs = 30'000;
constexpr int kMaxPingsOut = 2;
constexpr int64_t kConnectTimeoutMs = 5000;
// A write that cannot finish within this fails the connection, which libnats then replaces:
// without it a publish into a link that went down blocks (the socket buffer is full) until TCP
// gives up, many minutes later. The forwarder paces writes to the link budget, so a healthy
// link never comes near it.
constexpr int64_t kWriteDeadlineMs = 10'000;
// How long closing waits for the connection's last callback (its closed callback).
constexpr std::chrono::seconds kCloseTimeout{5};

Status NatsError(std::string_view what, natsStatus s) {
  return UnavailableError("nats: " + std::string(what) + ": " + natsStatus_GetText(s));
}

}  // namespace

struct NatsClient::Subscription {
  std::string subject;
  Handler handler;
  natsSubscription* sub = nullptr;
  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
    const char* data = natsMsg_GetData(msg);
    static_cast<Subscription*>(self)->handler(
        natsMsg_GetSubject(msg), std::string_view(data ? data : "", static_cast<size_t>(natsMsg_GetDataLength(msg))));
    natsMsg_Destroy(msg);
  }
  void Close() {
    natsSubscription_Destroy(sub);
    sub = nullptr;
  }
  ~Subscription() { Close(); }
};

void ShutdownNatsLibrary() { nats_Close(); }

Result<std::unique_ptr<NatsClient>> NatsClient::Connect(const NatsOptions& options) {
  std::unique_ptr<NatsClient> client(new NatsClient());
  client->url_ = options.url;
  natsOptions* raw = nullptr;
  if (natsStatus s = natsOptions_Create(&raw); s != NATS_OK) return NatsError("options", s);
  client->opts_ = raw;  // destroyed with the client
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
  if (s == NATS_OK) s = natsOptions_SetWriteDeadline(raw, kWriteDeadlineMs);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(raw, &NatsClient::OnClosed, client.get());
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(raw, &NatsClient::OnDisconnected, client.get());
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(raw, &NatsClient::OnConnected, client.get());
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(raw, true, &NatsClient::OnConnected, client.get());
  if (s != NATS_OK) return NatsError("options for " + options.url, s);
  RETURN_IF_ERROR(client->Dial());
  return client;
}

Status NatsClient::Dial() {
  const natsStatus s = natsConnection_Connect(&nc_, opts_);
  if (s == NATS_OK) {
    ++connections_;
    connected_ = true;
  } else if (s != NATS_NOT_YET_CONNECTED) {
    return NatsError("connect to " + url_, s);
  } else {
    SL_LOG(kWarning) << "nats: " << url_ << " does not answer yet; retrying in the background";
  }
  for (const auto& sub : subscriptions_) {
    if (natsStatus r = natsConnection_Subscribe(&sub->sub, nc_, sub->subject.c_str(), &Subscription::OnMessage,
                                                sub.get());
        r != NATS_OK) {
      return NatsError("subscribe " + sub->subject, r);
    }
  }
  return Status();
}

void NatsClient::CloseConnection() {
  if (nc_ == nullptr) return;
  uint64_t closed_before;
  {
    MutexLock lock(mu_);
    closed_before = closed_;
  }
  natsConnection_Close(nc_);
  // libnats delivers callbacks on a thread of its own, the closed callback last: until it ran,
  // a callback of this connection may still come and find this object (or a newer
  // connection's state) in its place.
  const auto deadline = std::chrono::steady_clock::now() + kCloseTimeout;
  {
    MutexLock lock(mu_);
    while (closed_ == closed_before && closed_cv_.WaitUntil(mu_, deadline)) {
    }
  }
  for (const auto& sub : subscriptions_) sub->Close();
  natsConnection_Destroy(nc_);
  nc_ = nullptr;
  connected_ = false;
}

void NatsClient::Redial() {
  CloseConnection();
  if (Status s = Dial(); !s.ok()) {
    // Not expected (options were accepted once); Publish refuses until a later Redial.
    SL_LOG(kError) << s;
  }
}

NatsClient::~NatsClient() {
  CloseConnection();  // no callback runs on a dead object
  natsOptions_Destroy(opts_);
}

void NatsClient::OnClosed(natsConnection*, void* self) {
  auto* client = static_cast<NatsClient*>(self);
  MutexLock lock(client->mu_);
  ++client->closed_;
  client->closed_cv_.NotifyAll();
}

void NatsClient::OnConnected(natsConnection*, void* self) {
  auto* client = static_cast<NatsClient*>(self);
  ++client->connections_;
  client->connected_ = true;
  SL_LOG(kInfo) << "nats: connected to " << client->url_;
}

void NatsClient::OnDisconnected(natsConnection*, void* self) {
  static_cast<NatsClient*>(self)->connected_ = false;
  SL_LOG(kWarning) << "nats: disconnected from " << static_cast<NatsClient*>(self)->url_ << "; reconnecting";
}

Status NatsClient::Subscribe(const std::string& subject, Handler handler) {
  auto sub = std::make_unique<Subscription>();
  sub->subject = subject;
  sub->handler = std::move(handler);
  if (natsStatus s = natsConnection_Subscribe(&sub->sub, nc_, subject.c_str(), &Subscription::OnMessage, sub.get());
      s != NATS_OK) {
    return NatsError("subscribe " + subject, s);
  }
  subscriptions_.push_back(std::move(sub));
  return Status();
}

Status NatsClient::Publish(const std::string& subject, std::string_view data) {
  if (nc_ == nullptr || natsConnection_Status(nc_) != NATS_CONN_STATUS_CONNECTED) {
    return UnavailableError("nats: not connected to " + url_);
  }
  natsStatus s = natsConnection_Publish(nc_, subject.c_str(), data.data(), static_cast<int>(data.size()));
  return s == NATS_OK ? Status() : NatsError("publish " + subject, s);
}

}  // namespace sightline::uplink
