#pragma once
// Plumbing of the MQTT integration tests (mqtt_test.cc) and the MQTT benchmark: Debian's
// mosquitto broker as a child process on a free port in a temporary directory, and a test
// client (libmosquitto) that records what it receives.

#include <mosquitto.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "support/child_process.h"
#include "support/free_port.h"

namespace sightline::testing {

inline constexpr const char* kMosquitto = "/usr/sbin/mosquitto";


struct BrokerOptions {
  int port = 0;
  std::string dir{};          // config, persistence and password file go here
  std::string user{};         // non-empty: anonymous clients are refused
  std::string password{};
  bool persistence = false;   // sessions and queued messages survive a kill -9 (saved every 1 s)
};

// Whether something accepts TCP connections on 127.0.0.1:`port`.
inline bool Listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

// Starts mosquitto with a config written into options.dir and waits until it listens. Its log
// goes to options.dir/mosquitto.log (its stdout is block-buffered in a pipe). `user root`: as
// root, mosquitto would otherwise switch to user mosquitto, who cannot read the test's files.
inline Result<std::unique_ptr<ChildProcess>> StartBroker(const BrokerOptions& o) {
  const std::string conf = o.dir + "/mosquitto.conf";
  {
    std::ofstream c(conf);
    c << "listener " << o.port << " 127.0.0.1\nlog_dest file " << o.dir << "/mosquitto.log\n";
    if (::geteuid() == 0) c << "user root\n";
    if (o.user.empty()) {
      c << "allow_anonymous true\n";
    } else {
      const std::string passwd = o.dir + "/passwd";
      const std::string cmd = "mosquitto_passwd -b -c '" + passwd + "' '" + o.user + "' '" + o.password + "' >/dev/null 2>&1";
      if (std::system(cmd.c_str()) != 0) return InternalError("mosquitto_passwd failed");
      c << "allow_anonymous false\npassword_file " << passwd << "\n";
    }
    if (o.persistence) c << "persistence true\npersistence_location " << o.dir << "/\nautosave_interval 1\n";
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> p, ChildProcess::Start(kMosquitto, {"-c", conf}));
  for (int i = 0; i < 100; ++i) {
    if (Listening(o.port)) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return InternalError("mosquitto does not listen on port " + std::to_string(o.port) + "; see " + o.dir +
                       "/mosquitto.log");
}

struct Received {
  std::string topic;
  std::string payload;
  bool retain = false;
};

// A client that subscribes to `filter` at QoS 1 and keeps every message.
class TestClient {
 public:
  // clean_session false keeps the subscription in the broker across reconnects (and, with
  // persistence, across a broker restart).
  static Result<std::unique_ptr<TestClient>> Connect(int port, const std::string& id, const std::string& filter,
                                                     bool clean_session = true) {
    mosquitto_lib_init();
    std::unique_ptr<TestClient> c(new TestClient());
    c->filter_ = filter;
    c->mosq_ = mosquitto_new(id.c_str(), clean_session, c.get());
    mosquitto_connect_callback_set(c->mosq_, [](mosquitto* m, void* self, int rc) {
      if (rc != 0) return;
      TestClient* t = static_cast<TestClient*>(self);
      if (!t->filter_.empty()) mosquitto_subscribe(m, nullptr, t->filter_.c_str(), 1);
    });
    mosquitto_subscribe_callback_set(c->mosq_, [](mosquitto*, void* self, int, int, const int*) {
      TestClient* t = static_cast<TestClient*>(self);
      MutexLock lock(t->mu_);
      t->subscribed_ = true;
    });
    mosquitto_message_callback_set(c->mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      TestClient* t = static_cast<TestClient*>(self);
      MutexLock lock(t->mu_);
      t->received_.push_back({m->topic, std::string(static_cast<const char*>(m->payload), m->payloadlen), m->retain});
    });
    mosquitto_reconnect_delay_set(c->mosq_, 1, 1, false);
    if (int rc = mosquitto_connect(c->mosq_, "127.0.0.1", port, 30); rc != MOSQ_ERR_SUCCESS) {
      return InternalError(std::string("test client cannot connect: ") + mosquitto_strerror(rc));
    }
    mosquitto_loop_start(c->mosq_);
    if (!filter.empty() && !c->WaitUntil([&] { return c->subscribed(); }, std::chrono::seconds(5))) {
      return InternalError("test client: no SUBACK");
    }
    return c;
  }
  ~TestClient() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }

  void Publish(const std::string& topic, const std::string& payload) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false);
  }
  std::vector<Received> received() const {
    MutexLock lock(mu_);
    return received_;
  }
  std::vector<Received> On(const std::string& topic) const {
    std::vector<Received> out;
    for (Received& r : received()) {
      if (r.topic == topic) out.push_back(std::move(r));
    }
    return out;
  }
  bool subscribed() const {
    MutexLock lock(mu_);
    return subscribed_;
  }
  // Polls `done` every 50 ms until it holds or `timeout` passes.
  static bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  }

 private:
  TestClient() = default;
  mosquitto* mosq_ = nullptr;
  std::string filter_;
  mutable Mutex mu_;
  bool subscribed_ SL_GUARDED_BY(mu_) = false;
  std::vector<Received> received_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::testing
