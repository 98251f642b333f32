#pragma once
// Test harness for ingest integration tests: runs camsim and RTSP clients on their own
// threads, collects every frame each client delivers, and compares frames with the ground
// truth demuxed from the source file.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "rtsp/client.h"
#include "support/demux.h"
#include "support/frame_hash.h"
#include "tools/camsim/server.h"

namespace sightline::testing {

// An io_context running on its own thread until the object is destroyed.
class IoThread {
 public:
  IoThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// One client and every frame it delivered.
class Receiver {
 public:
  // `clock` (null: a SteadyWallClock of its own) must outlive the receiver.
  Receiver(boost::asio::io_context& io, rtsp::ClientOptions options, const Clock* clock = nullptr)
      : clock_(clock != nullptr ? *clock : own_clock_),
        client_(std::make_unique<rtsp::Client>(
            io.get_executor(), std::move(options),
            [this](media::FramePtr f) {
              std::lock_guard<std::mutex> lock(mu_);
              frames_.push_back(std::move(f));
            },
            clock_)) {
    client_->Start();
  }
  ~Receiver() { Stop(); }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    std::atomic<bool> done{false};
    client_->Stop([&] { done = true; });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(done) << "client did not stop within 10 s";
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return frames_.size();
  }
  std::vector<media::FramePtr> frames() const {
    std::lock_guard<std::mutex> lock(mu_);
    return frames_;
  }
  rtsp::ClientStats stats() const { return client_->stats(); }

 private:
  SteadyWallClock own_clock_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::vector<media::FramePtr> frames_;
  std::unique_ptr<rtsp::Client> client_;
  bool stopped_ = false;
};

inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Checks that `got` is a contiguous run of the looping `source`: got[0] is some source frame
// k, and got[j] is source[(k + j) % n], byte for byte (by hash). Returns the number of frames
// that matched before the first mismatch.
inline size_t MatchContiguous(const std::vector<media::FramePtr>& got, const std::vector<SourceFrame>& source,
                              std::string* why) {
  if (got.empty() || source.empty()) {
    *why = "no frames";
    return 0;
  }
  const uint64_t first = FrameHash(got[0]->data);
  size_t k = source.size();
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i].hash == first) {
      k = i;
      break;
    }
  }
  if (k == source.size()) {
    *why = "the first frame received matches no source frame";
    return 0;
  }
  for (size_t j = 0; j < got.size(); ++j) {
    const SourceFrame& want = source[(k + j) % source.size()];
    if (FrameHash(got[j]->data) != want.hash) {
      *why = "frame " + std::to_string(j) + " (source frame " + std::to_string((k + j) % source.size()) +
             ") differs: got " + std::to_string(got[j]->data.size()) + " bytes, want " +
             std::to_string(want.data.size());
      return j;
    }
    if (got[j]->keyframe != want.keyframe) {
      *why = "frame " + std::to_string(j) + " keyframe flag differs";
      return j;
    }
  }
  return got.size();
}

}  // namespace sightline::testing
