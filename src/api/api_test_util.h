#pragma once
// A test harness for the API's handlers: the real router (MakeRouter) on a real http::Server on
// 127.0.0.1, a real AccountStore on a fresh index database in a temporary folder, and a fixed
// directory of cameras with no live streams or recordings. For the routes' own rules
// (authentication, roles, validation, limits); tests/api_test.cc covers them end to end
// against `sightline run` recording camsim. For *_test.cc in this folder only.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/api.h"
#include "auth/account_store.h"
#include "http/server_test_util.h"
#include "store/env.h"
#include "store/index.h"

namespace sightline::api::testing {

using http::testing::Client;
using http::testing::ClientResponse;
namespace bhttp = boost::beast::http;

// Cameras "cam0" and "cam1", each with a recorded "main" stream; no hubs.
class FixedCameras : public CameraDirectory {
 public:
  std::vector<CameraStatus> Cameras() const override {
    std::vector<CameraStatus> out;
    for (const char* name : {"cam0", "cam1"}) {
      StreamStatus main;
      main.name = "main";
      main.roles = {"record", "live"};
      main.recorded = true;
      out.push_back({name, "main", {main}});
    }
    return out;
  }
  live::StreamHub* Hub(std::string_view, std::string_view) const override { return nullptr; }
  RecorderStatus Recorder() const override { return {}; }
};

class ApiHarness {
 public:
  explicit ApiHarness(auth::AccountStoreOptions account_options = {.password_cost = auth::kTestPasswordCost},
                      http::ServerOptions server_options = {}, bool secure_cookies = false,
                      PtzControl* ptz = nullptr, CameraSetup* camera_setup = nullptr) {
    index_path_ = dir_.path() + "/index.db";
    EXPECT_TRUE(store::Index::Open(index_path_).ok());
    Result<std::unique_ptr<auth::AccountStore>> accounts = auth::AccountStore::Open(index_path_, account_options);
    EXPECT_TRUE(accounts.ok()) << accounts.status();
    accounts_ = std::move(*accounts);
    ApiDeps deps;
    deps.accounts = accounts_.get();
    deps.cameras = &cameras_;
    deps.ptz = ptz;
    deps.camera_setup = camera_setup;
    deps.clock = &clock_;
    deps.env = store::DefaultEnv();
    deps.index_path = index_path_;
    deps.storage_paths = {dir_.path() + "/disk"};
    deps.storage_min_free_bytes = {0};
    deps.version = "test";
    deps.secure_cookies = secure_cookies;
    SetRouteLimits(server_options);
    server_ = std::make_unique<http::testing::TestServer>(MakeRouter(deps), server_options);
    EXPECT_TRUE(server_->Start().ok());
  }

  auth::AccountStore& accounts() { return *accounts_; }
  const std::string& index_path() const { return index_path_; }
  uint16_t port() const { return server_->port(); }

  void AddUser(const std::string& name, const std::string& password, auth::Role role,
               const std::vector<std::string>& cameras = {}) {
    const auth::Actor cli{"cli:test", ""};
    ASSERT_TRUE(accounts_->AddUser(cli, name, password, role).ok());
    for (const std::string& c : cameras) ASSERT_TRUE(accounts_->GrantCamera(cli, name, c).ok());
  }

  // One request on a new connection. `json` non-empty: sent as an application/json body.
  ClientResponse Send(bhttp::verb method, const std::string& target, const std::string& cookie = "",
                      const std::string& json = "",
                      std::vector<std::pair<std::string, std::string>> fields = {}) {
    bhttp::request<bhttp::string_body> r(method, target, 11);
    if (!cookie.empty()) r.set(bhttp::field::cookie, cookie);
    if (!json.empty()) {
      r.set(bhttp::field::content_type, "application/json");
      r.body() = json;
    }
    for (auto& [k, v] : fields) r.set(k, v);
    Client c(port());
    return c.Send(std::move(r));
  }

  // Logs in; returns "sl_session=..." for the Cookie field.
  std::string Login(const std::string& name, const std::string& password) {
    ClientResponse r = Send(bhttp::verb::post, "/api/login", "",
                            R"({"username":")" + name + R"(","password":")" + password + "\"}");
    EXPECT_EQ(r.result_int(), 200) << r.body();
    const std::string set(r[bhttp::field::set_cookie]);
    return set.substr(0, set.find(';'));
  }

 private:
  http::testing::TempDir dir_;
  std::string index_path_;
  RealClock clock_;
  FixedCameras cameras_;
  std::unique_ptr<auth::AccountStore> accounts_;
  std::unique_ptr<http::testing::TestServer> server_;
};

}  // namespace sightline::api::testing
