#pragma once
// Client: one connection to an MQTT broker over libmosquitto, for a process that must never
// wait for the broker (docs/design/mqtt.md). Publish only queues: a bounded queue, whose
// overflow is dropped and counted, feeds a sender thread that hands messages to libmosquitto
// while the connection is up, at most kMaxInflight QoS 1 messages unacknowledged at a time.
// A network thread of ours drives libmosquitto: it connects, reconnects (1 s, doubling to
// 10 s), and libmosquitto resends QoS 1 messages unacknowledged when the connection dropped.
//
// At every connect the client publishes `birth` (Sightline: <prefix>/available online,
// retained), subscribes to `subscriptions`, then calls on_connect; the broker publishes
// `will` (offline) if the connection dies. Stop publishes `goodbye` (offline) and disconnects.
//
// Threads: Publish and stats from any thread. on_connect and on_message run on the network
// thread and must not block for long. Create, Connect and Stop from one owning thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "mqtt/message.h"

struct mosquitto;
struct mosquitto_message;

namespace sightline::mqtt {

struct ClientOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string user;      // empty: no login
  std::string password;
  bool tls = false;      // server certificate checked against the system's CAs
  std::string client_id = "sightline";
  Message will;          // published by the broker when the connection dies
  Message birth;         // published at every connect
  Message goodbye;       // published by Stop
  std::vector<std::string> subscriptions;  // at QoS 1, at every connect
  size_t max_queue = 10000;                // messages waiting; more are dropped and counted
  std::function<void()> on_connect;        // after birth and subscriptions
  std::function<void(const std::string& topic, const std::string& payload)> on_message;
};

struct ClientStats {
  bool connected = false;
  uint64_t queued = 0;     // accepted by Publish
  uint64_t sent = 0;       // handed to libmosquitto
  uint64_t acked = 0;      // QoS 1 messages the broker acknowledged
  uint64_t dropped = 0;    // refused by a full queue, or by libmosquitto (oversize)
  uint64_t connects = 0;   // successful connections, the first included
  size_t queue = 0;        // waiting now
};

// Unacknowledged QoS 1 messages handed to libmosquitto at once. Its own queue is unbounded, so
// this cap is what keeps an unreachable broker's backlog inside our bounded queue.
inline constexpr int kMaxInflight = 200;

class Client {
 public:
  // Checks the options; fails on options libmosquitto refuses.
  static Result<std::unique_ptr<Client>> Create(ClientOptions options);
  // Starts connecting in the background: an unreachable broker is not an error here (it is
  // logged, and retried). Separate from Create so that the owner can store the pointer before
  // on_connect may run.
  Status Connect();
  ~Client();  // Stop()
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Queues `message`; false (and counted) when the queue is full or the client stopped.
  bool Publish(Message message);
  // Publishes `goodbye`, waits up to `drain` for the queue to empty, disconnects, joins the
  // threads. Idempotent.
  void Stop(std::chrono::milliseconds drain = std::chrono::milliseconds(2000));
  ClientStats stats() const;

 private:
  explicit Client(ClientOptions options);
  Status Configure();
  void SendLoop();
  // Connects, reconnects and runs libmosquitto until Stop; then sends DISCONNECT.
  void NetworkLoop();
  void SayGoodbye();
  void WaitForNetworkStop(std::chrono::steady_clock::duration timeout) SL_EXCLUDES(mu_);
  // Hands one message to libmosquitto; false when it was refused (connection gone).
  bool Send(const Message& m);
  static void OnConnect(mosquitto* m, void* self, int rc);
  static void OnDisconnect(mosquitto* m, void* self, int rc);
  static void OnPublish(mosquitto* m, void* self, int mid);
  static void OnMessage(mosquitto* m, void* self, const mosquitto_message* msg);
  void LogOnce(const std::string& line) SL_REQUIRES(mu_);
  std::string where() const;

  const ClientOptions options_;
  mosquitto* mosq_ = nullptr;

  mutable Mutex mu_;
  CondVar cv_;  // queue, connection, inflight or stopping changed
  std::deque<Message> queue_ SL_GUARDED_BY(mu_);
  bool connected_ SL_GUARDED_BY(mu_) = false;
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  int inflight_ SL_GUARDED_BY(mu_) = 0;
  // What the log last said about the connection, so that a broker that stays away or keeps
  // refusing is one log line, not one per retry.
  std::string last_logged_ SL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point down_since_ SL_GUARDED_BY(mu_);
  ClientStats stats_ SL_GUARDED_BY(mu_);
  bool network_stop_ SL_GUARDED_BY(mu_) = false;  // set by Stop once the sender is done
  std::thread sender_;
  std::thread network_;
  bool running_ = false;  // Connect started the threads
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace sightline::mqtt
