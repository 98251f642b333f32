// Acceptance of the first multi-site slice (issue 12, docs/design/multisite.md) with real
// processes: a nats-server and a PostgreSQL 15 of the test's own, `sightline central`, and a
// site (`sightline run` recording a camsim camera, with a `site:` section). Events are raised
// at the site by committing them to its index database (as `sightline user` and the recorder
// do, from another process: the outbox's triggers make no difference between writers), plus
// audit rows from `sightline user`. Each test then checks that every row committed at the site
// is in PostgreSQL exactly once, and that the site's outbox drained: after a clean run, after
// kill -9 of the site, and after kill -9 of nats-server and of `sightline central`.

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "multisite_harness.h"
#include "store/sqlite.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kClip = "pets2009_s2l1_360p10_400k.h264.mp4";
constexpr const char* kSite = "site-a";
// Every bounded wait for the centre to catch up; the site resends stalled messages after 10 s.
constexpr auto kConvergeTimeout = 90s;

// The number after "NAME=" in central's summary line, or -1.
int64_t SummaryCount(const std::string& summary, const std::string& name) {
  const size_t at = summary.find(name + "=");
  return at == std::string::npos ? -1 : std::stoll(summary.substr(at + name.size() + 1));
}

class MultisiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> missing = MissingPrerequisite()) GTEST_SKIP() << *missing;
    std::optional<std::string> media = SharedMediaFile(kClip);
    if (!media) GTEST_SKIP() << "needs ../shared/media (" << kClip << ")";
    ::chmod(tmp_.path().c_str(), 0755);  // PostgreSQL's user must reach its directories
    nats_ = std::make_unique<NatsServer>(tmp_.path(), FreePort());
    ASSERT_TRUE(nats_->Start().ok());
    pg_ = std::make_unique<Postgres>(tmp_.path(), FreePort());
    Status pg = pg_->Start();
    ASSERT_TRUE(pg.ok()) << pg;
    central_ = std::make_unique<Central>(tmp_.path(), nats_->Url(), pg_->Conninfo());
    Status central = central_->Start();
    ASSERT_TRUE(central.ok()) << central;
    Result<Camsim> camsim = StartCamsim({"name=cam0,file=" + *media});
    ASSERT_TRUE(camsim.ok()) << camsim.status();
    camsim_ = std::move(*camsim);
    config_ = tmp_.path() + "/sightline.yaml";
    std::filesystem::create_directories(tmp_.path() + "/disk");
    WriteRecordConfig(config_, "  dirs: [" + tmp_.path() + "/disk]\n  segment_duration: 10s\n", camsim_.port,
                      {"cam0"});
    std::ofstream(config_, std::ios::app) << "site:\n  name: " << kSite << "\n  nats_url: " << nats_->Url()
                                          << "\n  link_kbit_s: 4000\n";
    StartSite();
  }

  void TearDown() override {
    StopProducer();
    if (site_) StopSightlineRun(*site_);
  }

  void StartSite() {
    Result<SightlineRun> run = StartSightlineRun(config_);
    ASSERT_TRUE(run.ok()) << run.status();
    site_ = std::move(run->process);
  }
  void KillSite() {
    ASSERT_TRUE(site_->Signal(SIGKILL).ok());
    ASSERT_TRUE(site_->Wait(10'000).ok());
    site_.reset();
  }

  std::string IndexPath() const { return tmp_.path() + "/disk/index.db"; }

  void Produce(int n, std::chrono::milliseconds gap) { ProduceEvents(IndexPath(), n, gap, stop_producer_, produced_); }
  void StartProducer(std::chrono::milliseconds gap) {
    producer_ = std::thread([this, gap] { Produce(1'000'000, gap); });
  }
  void StopProducer() {
    stop_producer_ = true;
    if (producer_.joinable()) producer_.join();
  }

  Rows AtSite() { return RowsAtSite(IndexPath()); }
  Rows AtCentre() { return RowsAtCentre(*pg_, kSite); }

  // Waits until the centre has every row the site committed and the outbox is empty; returns
  // how long it took, or fails the test at the deadline.
  std::chrono::milliseconds WaitUntilCentreHasEverything() {
    const auto start = std::chrono::steady_clock::now();
    Rows site, centre;
    while (std::chrono::steady_clock::now() - start < kConvergeTimeout) {
      site = AtSite();
      centre = AtCentre();
      if (site == centre && site.outbox == 0) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      }
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "after " << kConvergeTimeout.count() << " s the site has " << site << ", the centre "
                  << centre;
    return std::chrono::milliseconds(-1);
  }

  void ExpectNothingLostOrDuplicated(const std::string& what) {
    const std::chrono::milliseconds took = WaitUntilCentreHasEverything();
    const Rows site = AtSite();
    const Rows centre = AtCentre();
    EXPECT_EQ(site.events, centre.events);
    EXPECT_EQ(site.alarms, centre.alarms);
    EXPECT_EQ(site.audit, centre.audit);
    EXPECT_GT(site.events.size(), 0u);
    std::cout << "[ metric   ] " << what << ": " << site << " all at the centre " << took.count()
              << " ms after the last check began; produced " << produced_ << " events\n";
  }

  store::testing::TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<Postgres> pg_;
  std::unique_ptr<Central> central_;
  Camsim camsim_;
  std::string config_;
  std::unique_ptr<ChildProcess> site_;
  std::thread producer_;
  std::atomic<bool> stop_producer_{false};
  std::atomic<int64_t> produced_{0};
};

TEST_F(MultisiteTest, EventsRaisedAtASiteReachPostgresOnceEach) {
  Produce(150, 2ms);
  // Audit rows written by another process of the site: user management.
  for (const char* user_and_role : {"ann --role admin", "bob --role viewer"}) {
    const CommandResult r = Shell("printf 'a-long-password-1\\n' | " + Quote(SIGHTLINE_BINARY) + " user add " +
                                  user_and_role + " --password-stdin --config " + Quote(config_));
    ASSERT_EQ(r.code, 0) << r.output;
  }
  // Bad messages mid-stream: malformed, a valid message of this site on another site's
  // subject, and an oversize one. Each is refused; ingestion goes on.
  const std::string valid = R"({"v":1,"site":"site-a","epoch":"0123456789abcdef0123456789abcdef",)"
                            R"("lane":"event","seq":1,"kind":"motion_event","time_us":1,"body":{"id":999999}})";
  ASSERT_TRUE(NatsPublishRaw(nats_->port(), "sl.site-a.up.event", "{not json").ok());
  ASSERT_TRUE(NatsPublishRaw(nats_->port(), "sl.intruder.up.event", valid).ok());
  ASSERT_TRUE(NatsPublishRaw(nats_->port(), "sl.site-a.up.event", std::string(20'000, ' ') + valid).ok());
  Produce(150, 2ms);

  ExpectNothingLostOrDuplicated("clean run");
  EXPECT_GE(AtSite().audit.size(), 2u) << "user management is audited";
  EXPECT_EQ(pg_->Count("SELECT count(*) FROM events WHERE site = 'intruder'"), 0);
  EXPECT_EQ(pg_->Count("SELECT count(*) FROM events WHERE body->>'id' = '999999'"), 0);
  EXPECT_EQ(pg_->Query("SELECT camera FROM events WHERE site = 'site-a' LIMIT 1"), "cam0");
  StopSightlineRun(*site_);
  site_.reset();
  const std::string summary = central_->Stop();
  EXPECT_EQ(SummaryCount(summary, "refused"), 3) << summary;
}

TEST_F(MultisiteTest, KillingTheSiteRepeatedlyLosesAndDuplicatesNothing) {
  StartProducer(5ms);
  std::mt19937 random(12);
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 1500)(random)));
    KillSite();
    StartSite();
  }
  std::this_thread::sleep_for(500ms);
  StopProducer();
  ExpectNothingLostOrDuplicated("5 x kill -9 of the site");
}

TEST_F(MultisiteTest, KillingNatsAndTheCentreLosesAndDuplicatesNothing) {
  StartProducer(5ms);
  std::this_thread::sleep_for(1s);
  // The site reconnects and sends everything unacknowledged again.
  nats_->Kill9();
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(nats_->Start().ok());
  std::this_thread::sleep_for(1500ms);
  // Messages sent while the centre is down are lost on the way; the site's link stays up, so
  // only the stalled watermark (ack_timeout, 10 s) makes it send them again.
  central_->Kill9();
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(central_->Start().ok());
  std::this_thread::sleep_for(1s);
  StopProducer();
  ExpectNothingLostOrDuplicated("kill -9 of nats-server and of sightline central");
  const std::string summary = central_->Stop();
  EXPECT_EQ(SummaryCount(summary, "refused"), 0) << summary;
  EXPECT_GT(SummaryCount(summary, "duplicates"), 0) << "the resends reached rows the centre had: " << summary;
}

}  // namespace
}  // namespace sightline::testing
