#pragma once
// A webhook receiver for tests: Sightline's own HTTP server (a real one, on loopback) with one
// route, POST /hook, that checks every delivery's signature the way docs/ref/webhooks.md tells
// receivers to (webhook::VerifySignature, itself checked against OpenSSL's command line in
// src/webhook/signature_test.cc) and keeps what it got. What it answers is scripted: a list of
// statuses used up one per request (then 200), and an optional delay before answering.

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "base/clock.h"
#include "base/mutex.h"
#include "http/router.h"
#include "http/server.h"
#include "webhook/signature.h"

namespace sightline::testing {

struct Delivery {
  std::string event;        // X-Sightline-Event
  std::string delivery_id;  // X-Sightline-Delivery
  std::string body;
  Status signature;         // what the check said
  int answered = 0;         // the status the receiver answered with
};

class WebhookReceiver {
 public:
  // Listens on 127.0.0.1:`port` (0: a free one) and checks signatures made with `secret`.
  WebhookReceiver(std::string secret, uint16_t port = 0) : secret_(std::move(secret)) {
    http::Router router;
    router.Add("POST", "/hook", [this](http::Request& r) { return Receive(r); });
    http::ServerOptions o;
    o.listen = "127.0.0.1:" + std::to_string(port);
    server_ = std::make_unique<http::Server>(io_.get_executor(), o, std::move(router));
    started_ = server_->Start();
    thread_ = std::thread([this] { io_.run(); });
  }
  // Wakes handlers that are delaying their answer and waits for every handler to return: they
  // run on the server's blocking pool, which may outlive the server object.
  ~WebhookReceiver() {
    server_->Stop();
    {
      MutexLock lock(mu_);
      stopping_ = true;
      cv_.NotifyAll();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (in_flight_ > 0 && cv_.WaitUntil(mu_, deadline)) {
      }
    }
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  const Status& started() const { return started_; }
  uint16_t port() const { return server_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook"; }

  // The next requests get these statuses, in order (then 200).
  void Script(std::vector<int> statuses) {
    MutexLock lock(mu_);
    script_.assign(statuses.begin(), statuses.end());
  }
  void SetDelay(std::chrono::milliseconds d) {
    MutexLock lock(mu_);
    delay_ = d;
  }
  std::vector<Delivery> deliveries() const {
    MutexLock lock(mu_);
    return deliveries_;
  }
  // The deliveries it answered with 2xx.
  std::vector<Delivery> accepted() const {
    std::vector<Delivery> out;
    for (Delivery& d : deliveries()) {
      if (d.answered / 100 == 2) out.push_back(std::move(d));
    }
    return out;
  }

 private:
  http::Response Receive(http::Request& r) {
    std::chrono::milliseconds delay;
    Delivery d{std::string(r.Header(webhook::kEventHeader)), std::string(r.Header(webhook::kDeliveryHeader)),
               r.body, Status(), 200};
    d.signature = webhook::VerifySignature(secret_, r.Header(webhook::kTimestampHeader),
                                           r.Header(webhook::kSignatureHeader), r.body,
                                           UnixMicros(RealClock().WallNow()) / 1'000'000);
    {
      MutexLock lock(mu_);
      ++in_flight_;
      delay = delay_;
      if (!script_.empty()) {
        d.answered = script_.front();
        script_.pop_front();
      }
      if (!d.signature.ok()) d.answered = 401;
    }
    {
      // On the server's blocking pool; cut short when the receiver goes away.
      MutexLock lock(mu_);
      const auto until = std::chrono::steady_clock::now() + delay;
      while (!stopping_ && cv_.WaitUntil(mu_, until)) {
      }
      deliveries_.push_back(d);
      --in_flight_;
      cv_.NotifyAll();
    }
    http::Response resp;
    resp.status = d.answered;
    resp.body = "{}";
    resp.content_type = "application/json";
    return resp;
  }

  const std::string secret_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  std::unique_ptr<http::Server> server_;
  Status started_;
  std::thread thread_;
  mutable Mutex mu_;
  std::deque<int> script_ SL_GUARDED_BY(mu_);
  std::chrono::milliseconds delay_ SL_GUARDED_BY(mu_){0};
  std::vector<Delivery> deliveries_ SL_GUARDED_BY(mu_);
  CondVar cv_;  // stopping_ or in_flight_ changed
  bool stopping_ SL_GUARDED_BY(mu_) = false;
  int in_flight_ SL_GUARDED_BY(mu_) = 0;  // handlers running
};

}  // namespace sightline::testing
