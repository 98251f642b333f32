#include "mqtt/client.h"

#include <mosquitto.h>

#include <algorithm>
#include <mutex>

#include "base/logging.h"

namespace sightline::mqtt {
namespace {

constexpr int kKeepaliveS = 30;
constexpr std::chrono::seconds kReconnectMin{1};
// A broker back after an outage is found within 10 s; a LAN broker is worth that retry rate.
constexpr std::chrono::seconds kReconnectMax{10};
// How long the network thread waits in one mosquitto_loop call: the most Stop waits for it.
constexpr std::chrono::milliseconds kLoopTick{100};
// How long Stop lets the DISCONNECT (and what precedes it) go out.
constexpr std::chrono::seconds kGoodbyeTimeout{1};
// A broker not reached this long after start or after a lost connection gets one log line.
constexpr std::chrono::seconds kUnreachableAfter{10};
constexpr const char* kSystemCaPath = "/etc/ssl/certs";
constexpr int kQos = 1;

// libmosquitto's global state: set up once per process, never torn down (its cleanup is not
// thread-safe and the process ends soon after the last client anyway).
void InitLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

Status MosquittoError(const std::string& what, int rc) {
  return InvalidArgumentError("mqtt: " + what + ": " + mosquitto_strerror(rc));
}

}  // namespace

Client::Client(ClientOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  InitLibrary();
  std::unique_ptr<Client> c(new Client(std::move(options)));
  RETURN_IF_ERROR(c->Configure());
  return c;
}

Status Client::Connect() {
  {
    MutexLock lock(mu_);
    down_since_ = std::chrono::steady_clock::now();
  }
  // Async: an unreachable broker is retried by the loop thread, not an error at start.
  if (int rc = mosquitto_connect_async(mosq_, options_.host.c_str(), options_.port, kKeepaliveS);
      rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO && rc != MOSQ_ERR_EAI) {
    return MosquittoError("connecting to " + where(), rc);
  }
  running_ = true;
  network_ = std::thread([this] { NetworkLoop(); });
  sender_ = std::thread([this] { SendLoop(); });
  return Status();
}

Status Client::Configure() {
  mosq_ = mosquitto_new(options_.client_id.c_str(), /*clean_session=*/true, this);
  if (mosq_ == nullptr) return InvalidArgumentError("mqtt: cannot create a client (out of memory)");
  mosquitto_connect_callback_set(mosq_, &Client::OnConnect);
  mosquitto_disconnect_callback_set(mosq_, &Client::OnDisconnect);
  mosquitto_publish_callback_set(mosq_, &Client::OnPublish);
  mosquitto_message_callback_set(mosq_, &Client::OnMessage);
  // Our threads call into libmosquitto (NetworkLoop, and Send on the sender thread).
  mosquitto_threaded_set(mosq_, true);
  if (!options_.user.empty()) {
    if (int rc = mosquitto_username_pw_set(mosq_, options_.user.c_str(), options_.password.c_str()); rc) {
      return MosquittoError("user and password", rc);
    }
  }
  if (options_.tls) {
    if (int rc = mosquitto_tls_set(mosq_, nullptr, kSystemCaPath, nullptr, nullptr, nullptr); rc) {
      return MosquittoError("tls", rc);
    }
  }
  const Message& w = options_.will;
  if (!w.topic.empty()) {
    if (int rc = mosquitto_will_set(mosq_, w.topic.c_str(), static_cast<int>(w.payload.size()),
                                    w.payload.data(), kQos, w.retain);
        rc) {
      return MosquittoError("last will on " + w.topic, rc);
    }
  }
  return Status();
}

Client::~Client() {
  Stop();
  if (mosq_ != nullptr) mosquitto_destroy(mosq_);
}

std::string Client::where() const { return options_.host + ":" + std::to_string(options_.port); }

void Client::LogOnce(const std::string& line) {
  if (line == last_logged_) return;
  last_logged_ = line;
  SL_LOG(kWarning) << line;
}

bool Client::Publish(Message message) {
  MutexLock lock(mu_);
  if (stopping_ || queue_.size() >= options_.max_queue) {
    ++stats_.dropped;
    return false;
  }
  queue_.push_back(std::move(message));
  ++stats_.queued;
  cv_.NotifyAll();
  return true;
}

void Client::SendLoop() {
  // Locked by hand rather than by MutexLock: the lock is dropped around each publication.
  mu_.Lock();
  for (;;) {
    while (!stopping_ && !(connected_ && !queue_.empty() && inflight_ < kMaxInflight)) {
      // Only when nothing was said yet: a refusal or a lost connection is already in the log.
      if (!connected_ && last_logged_.empty() && std::chrono::steady_clock::now() - down_since_ >= kUnreachableAfter) {
        LogOnce("mqtt: cannot reach the broker at " + where() + "; retrying (events are queued, up to " +
                std::to_string(options_.max_queue) + " messages)");
      }
      cv_.WaitFor(mu_, std::chrono::seconds(1));
    }
    // Stopping: send what is queued while connected (Stop bounds the wait), then leave.
    if (stopping_ && (!connected_ || queue_.empty())) break;
    if (!connected_ || inflight_ >= kMaxInflight) {
      cv_.WaitFor(mu_, std::chrono::milliseconds(100));
      continue;
    }
    Message m = std::move(queue_.front());
    queue_.pop_front();
    ++inflight_;
    mu_.Unlock();
    const bool ok = Send(m);
    mu_.Lock();
    if (ok) {
      ++stats_.sent;
    } else {
      --inflight_;
      ++stats_.dropped;
    }
    cv_.NotifyAll();
  }
  mu_.Unlock();
}

bool Client::Send(const Message& m) {
  const int rc = mosquitto_publish(mosq_, nullptr, m.topic.c_str(), static_cast<int>(m.payload.size()),
                                   m.payload.data(), kQos, m.retain);
  if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_NO_CONN) return true;  // QoS 1: queued for resend
  SL_LOG(kWarning) << "mqtt: cannot publish to " << m.topic << " (" << m.payload.size()
                   << " bytes): " << mosquitto_strerror(rc) << "; dropped";
  return false;
}

void Client::OnConnect(mosquitto* mosq, void* self_ptr, int rc) {
  Client* self = static_cast<Client*>(self_ptr);
  if (rc != 0) {
    MutexLock lock(self->mu_);
    self->LogOnce("mqtt: the broker at " + self->where() + " refused the connection: " +
                  mosquitto_connack_string(rc) + " (check mqtt.user, mqtt.password, mqtt.client_id); retrying");
    return;
  }
  const Message& b = self->options_.birth;
  if (!b.topic.empty()) {
    mosquitto_publish(mosq, nullptr, b.topic.c_str(), static_cast<int>(b.payload.size()), b.payload.data(),
                      kQos, b.retain);
  }
  for (const std::string& filter : self->options_.subscriptions) {
    mosquitto_subscribe(mosq, nullptr, filter.c_str(), kQos);
  }
  {
    MutexLock lock(self->mu_);
    self->connected_ = true;
    ++self->stats_.connects;
    self->last_logged_.clear();
    SL_LOG(kInfo) << "mqtt: connected to " << self->where()
                  << (self->stats_.connects > 1 ? " again" : "");
    self->cv_.NotifyAll();
  }
  if (self->options_.on_connect) self->options_.on_connect();
}

void Client::OnDisconnect(mosquitto*, void* self_ptr, int rc) {
  Client* self = static_cast<Client*>(self_ptr);
  MutexLock lock(self->mu_);
  const bool was_connected = self->connected_;
  self->connected_ = false;
  self->down_since_ = std::chrono::steady_clock::now();
  if (was_connected && rc != 0 && !self->stopping_) {
    self->LogOnce("mqtt: lost the connection to " + self->where() + ": " + mosquitto_strerror(rc) +
                  "; reconnecting (events are queued)");
  }
  self->cv_.NotifyAll();
}

void Client::OnPublish(mosquitto*, void* self_ptr, int) {
  Client* self = static_cast<Client*>(self_ptr);
  MutexLock lock(self->mu_);
  self->inflight_ = std::max(0, self->inflight_ - 1);
  ++self->stats_.acked;
  self->cv_.NotifyAll();
}

void Client::OnMessage(mosquitto*, void* self_ptr, const mosquitto_message* msg) {
  Client* self = static_cast<Client*>(self_ptr);
  if (!self->options_.on_message || msg->topic == nullptr) return;
  const std::string payload(static_cast<const char*>(msg->payload), static_cast<size_t>(msg->payloadlen));
  self->options_.on_message(msg->topic, payload);
}

void Client::Stop(std::chrono::milliseconds drain) {
  if (!running_) return;
  if (!options_.goodbye.topic.empty()) Publish(options_.goodbye);
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.NotifyAll();
    const auto deadline = std::chrono::steady_clock::now() + drain;
    while (connected_ && (!queue_.empty() || inflight_ > 0)) {
      if (!cv_.WaitUntil(mu_, deadline)) break;
    }
    // What the broker did not take in time is lost with the process: counted, not waited for.
    stats_.dropped += queue_.size();
    queue_.clear();
    cv_.NotifyAll();
  }
  sender_.join();
  {
    MutexLock lock(mu_);
    network_stop_ = true;
    cv_.NotifyAll();
  }
  network_.join();
  running_ = false;
}

// libmosquitto's own thread (mosquitto_loop_start) is not used: stopping it while it is
// reconnecting can hang for good (eclipse/mosquitto#2545, seen here as `sightline run` not
// exiting while a broker refused its login). This loop checks for Stop between every step.
void Client::NetworkLoop() {
  std::chrono::seconds delay = kReconnectMin;
  auto next_attempt = std::chrono::steady_clock::now() + delay;  // Connect made the first
  for (;;) {
    {
      MutexLock lock(mu_);
      if (network_stop_) break;
      if (connected_) delay = kReconnectMin;
    }
    if (mosquitto_socket(mosq_) < 0) {  // neither connected nor connecting
      const auto now = std::chrono::steady_clock::now();
      if (now < next_attempt) {
        WaitForNetworkStop(std::min<std::chrono::steady_clock::duration>(next_attempt - now, kLoopTick));
        continue;
      }
      next_attempt = now + delay;
      delay = std::min(delay * 2, kReconnectMax);
      // Non-blocking; a refusal or an unreachable broker shows in the callbacks or as no socket.
      mosquitto_reconnect_async(mosq_);
      continue;
    }
    const int rc = mosquitto_loop(mosq_, static_cast<int>(kLoopTick.count()), 1);
    // Errors close the socket (and are retried above); one that leaves it open must not spin.
    if (rc != MOSQ_ERR_SUCCESS && mosquitto_socket(mosq_) >= 0) WaitForNetworkStop(kLoopTick);
  }
  SayGoodbye();
}

void Client::SayGoodbye() {
  if (mosquitto_socket(mosq_) < 0) return;
  mosquitto_disconnect(mosq_);  // queued behind what is still being written
  const auto deadline = std::chrono::steady_clock::now() + kGoodbyeTimeout;
  while (mosquitto_socket(mosq_) >= 0 && std::chrono::steady_clock::now() < deadline) {
    mosquitto_loop(mosq_, static_cast<int>(kLoopTick.count()), 1);
  }
}

void Client::WaitForNetworkStop(std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (!network_stop_ && cv_.WaitUntil(mu_, deadline)) {
  }
}

ClientStats Client::stats() const {
  MutexLock lock(mu_);
  ClientStats s = stats_;
  s.connected = connected_;
  s.queue = queue_.size();
  return s;
}

}  // namespace sightline::mqtt
