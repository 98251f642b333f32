#pragma once
// Test helpers of uplink/: a site's index database with the store's and auth's tables and the
// outbox installed, and a Link that records what it is given.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/account_store.h"
#include "base/mutex.h"
#include "store/index.h"
#include "store/store_test_util.h"
#include "uplink/link.h"
#include "uplink/outbox.h"

namespace sightline::uplink::testing {

// The index database as `sightline run` opens it: store tables, auth tables, and a raw
// connection for SQL of the test's own.
struct SiteDatabase {
  store::testing::TempDir tmp;
  std::string path = tmp.path() + "/index.db";
  std::unique_ptr<store::Index> index = store::Index::Open(path).value();
  std::unique_ptr<auth::AccountStore> accounts =
      auth::AccountStore::Open(path, {.password_cost = auth::kTestPasswordCost}).value();
  std::unique_ptr<store::Db> db = store::Db::Open(path, /*read_only=*/false).value();

  // Installs the outbox and opens it.
  std::unique_ptr<Outbox> InstallOutbox() {
    EXPECT_TRUE(Outbox::Install(*db).ok());
    Result<std::unique_ptr<Outbox>> outbox = Outbox::Open(path);
    EXPECT_TRUE(outbox.ok()) << outbox.status();
    return outbox.ok() ? std::move(*outbox) : nullptr;
  }

  // A closed motion event of `camera`; returns its id.
  int64_t AddClosedEvent(const std::string& camera, int64_t end_us = 2000) {
    store::MotionEventRow e;
    e.camera = camera;
    e.stream = "sub";
    e.start_us = 1000;
    e.end_us = end_us;
    e.zones = {"door"};
    Result<int64_t> id = index->AddMotionEvent(e);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : 0;
  }
  void AddStoreEvent(const std::string& kind) {
    EXPECT_TRUE(index->AddEvents({{5000, kind, "", "", kind + " happened"}}).ok());
  }
  void AddAudit(const std::string& action) {
    EXPECT_TRUE(accounts->Audit({.user = "ann", .action = action, .camera = "front"}).ok());
  }
};

class FakeLink final : public Link {
 public:
  bool Connected() const override {
    MutexLock lock(mu_);
    return connected_;
  }
  uint64_t Connections() const override {
    MutexLock lock(mu_);
    return connections_;
  }
  Status Publish(const std::string& subject, std::string_view data) override {
    MutexLock lock(mu_);
    if (!connected_) return UnavailableError("fake link down");
    published_.emplace_back(subject, std::string(data));
    return Status();
  }
  // Counted; the new connection is up at once.
  void Redial() override {
    MutexLock lock(mu_);
    ++redials_;
    ++connections_;
    connected_ = true;
  }
  uint64_t redials() const {
    MutexLock lock(mu_);
    return redials_;
  }
  void SetConnected(bool up) {
    MutexLock lock(mu_);
    if (up && !connected_) ++connections_;
    connected_ = up;
  }
  // What was published since the last call.
  std::vector<std::pair<std::string, std::string>> Take() {
    MutexLock lock(mu_);
    return std::exchange(published_, {});
  }

 private:
  mutable Mutex mu_;
  bool connected_ SL_GUARDED_BY(mu_) = true;
  uint64_t connections_ SL_GUARDED_BY(mu_) = 1;
  uint64_t redials_ SL_GUARDED_BY(mu_) = 0;
  std::vector<std::pair<std::string, std::string>> published_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::uplink::testing
