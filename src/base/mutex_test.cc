#include "base/mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sightline {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class Counter {
 public:
  void Add() {
    MutexLock lock(mu_);
    ++count_;
  }
  int count() const {
    MutexLock lock(mu_);
    return count_;
  }

 private:
  mutable Mutex mu_;
  int count_ SL_GUARDED_BY(mu_) = 0;
};

TEST(MutexTest, MutexLockExcludesOtherThreads) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Add();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.count(), 40000);
}

TEST(MutexTest, TryLockFailsWhileHeld) {
  Mutex mu;
  mu.Lock();
  std::atomic<bool> got{true};
  std::thread([&] {
    if (mu.TryLock()) {
      mu.Unlock();
    } else {
      got = false;
    }
  }).join();
  mu.Unlock();
  EXPECT_FALSE(got);
  bool again = false;
  if (mu.TryLock()) {
    again = true;
    mu.Unlock();
  }
  EXPECT_TRUE(again);
}

TEST(CondVarTest, WaitUntilTimesOutWithTheLockHeldAgain) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  const auto start = steady_clock::now();
  EXPECT_FALSE(cv.WaitUntil(mu, start + milliseconds(30)));
  EXPECT_GE(steady_clock::now() - start, milliseconds(30));
  EXPECT_FALSE(mu.TryLock());  // still held by this scope
}

TEST(CondVarTest, NotifyWakesAWaiterThatSeesTheChange) {
  Mutex mu;
  CondVar cv;
  bool ready = false;  // guarded by mu (a local: the attribute applies to members)
  std::thread notifier([&] {
    std::this_thread::sleep_for(milliseconds(10));
    {
      MutexLock lock(mu);
      ready = true;
    }
    cv.NotifyAll();
  });
  {
    MutexLock lock(mu);
    const auto deadline = steady_clock::now() + std::chrono::seconds(10);
    while (!ready && cv.WaitUntil(mu, deadline)) {
    }
    EXPECT_TRUE(ready);
  }
  notifier.join();
}

TEST(CondVarTest, WaitForReturnsFalseOnTimeout) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  EXPECT_FALSE(cv.WaitFor(mu, milliseconds(5)));
}

}  // namespace
}  // namespace sightline
