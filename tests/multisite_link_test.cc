// Acceptance of multi-site over a thin, failing link (issue 12, "Acceptance";
// docs/design/multisite.md, "Test bed"): two sites, each `sightline run` (recording a camsim
// camera) in a network namespace of its own, reach the centre's namespace (nats-server and
// `sightline central`; PostgreSQL through its unix socket) only over a veth pair shaped to
// 256 kbit/s each way by `tbf`, through tools/delay_proxy adding 150 ms each way (300 ms round
// trip). An outage is `ip link set down` on the site's end. Events are raised at a site as in
// multisite_test.cc: committed to its index database by the test (the outbox's triggers make
// no difference between writers).

#include <sys/stat.h>

#include <array>
#include <atomic>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>

#include "multisite_harness.h"
#include "netns_harness.h"
#include "support/shared_media.h"

namespace sightline::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kClip = "pets2009_s2l1_360p10_400k.h264.mp4";
constexpr int kLinkKbit = 256;
constexpr auto kOneWayDelay = 150ms;
constexpr uint16_t kNatsPort = 4222;   // inside the centre's namespace: nobody else there
constexpr uint16_t kProxyPort = 7422;  // on each link's centre end
// The acceptance figures (issue 12).
constexpr auto kOutage = 45s;
constexpr int kOutageEvents = 2000;
constexpr auto kDrainBound = 60s;
constexpr double kIdleBytesPerDayBound = 2'000'000;

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

// One site: its namespace and link, the delay proxy in front of the centre for it (in the
// centre's namespace), its camera simulator and `sightline run`. Members go in reverse order:
// the processes before the link and the namespace.
struct Site {
  std::string name;  // "site-a"
  std::string dir;
  std::unique_ptr<NetNamespace> ns;
  std::unique_ptr<ShapedLink> link;
  std::unique_ptr<ChildProcess> proxy;
  Camsim camsim;
  std::unique_ptr<ChildProcess> run;
  std::atomic<bool> stop_producer{false};
  std::atomic<int64_t> produced{0};
  std::thread producer;

  std::string IndexPath() const { return dir + "/disk/index.db"; }
  int64_t LinkBytes() const { return link->TxBytes() + link->RxBytes(); }
  void StopProducer() {
    stop_producer = true;
    if (producer.joinable()) producer.join();
  }
  ~Site() {
    StopProducer();
    if (run) StopSightlineRun(*run);
  }
};

class MultisiteLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> missing = MissingPrerequisite()) GTEST_SKIP() << *missing;
    if (std::optional<std::string> missing = MissingNetnsPrerequisite()) GTEST_SKIP() << *missing;
    std::optional<std::string> media = SharedMediaFile(kClip);
    if (!media) GTEST_SKIP() << "needs ../shared/media (" << kClip << ")";
    RemoveStaleNamespaces();
    ::chmod(tmp_.path().c_str(), 0755);  // PostgreSQL's user must reach its directories

    Result<std::unique_ptr<NetNamespace>> centre = NetNamespace::Create("c");
    ASSERT_TRUE(centre.ok()) << centre.status();
    centre_ = std::move(*centre);
    pg_ = std::make_unique<Postgres>(tmp_.path(), FreePort());
    Status pg = pg_->Start();
    ASSERT_TRUE(pg.ok()) << pg;
    nats_ = std::make_unique<NatsServer>(tmp_.path(), kNatsPort, centre_->name());
    Status nats = nats_->Start();
    ASSERT_TRUE(nats.ok()) << nats;
    central_ = std::make_unique<Central>(tmp_.path(), nats_->Url(), pg_->Conninfo(), centre_->name());
    Status central = central_->Start();
    ASSERT_TRUE(central.ok()) << central;

    for (int i = 0; i < 2; ++i) {
      auto site = std::make_unique<Site>();
      const std::string label(1, static_cast<char>('a' + i));
      site->name = "site-" + label;
      site->dir = tmp_.path() + "/" + site->name;
      std::filesystem::create_directories(site->dir + "/disk");
      Result<std::unique_ptr<NetNamespace>> ns = NetNamespace::Create(label);
      ASSERT_TRUE(ns.ok()) << ns.status();
      site->ns = std::move(*ns);
      const std::string net = "10.77." + std::to_string(i + 1) + ".";
      Result<std::unique_ptr<ShapedLink>> link = ShapedLink::Create(
          *site->ns, *centre_, label, {.near_address = net + "2/30", .far_address = net + "1/30", .rate_kbit = kLinkKbit});
      ASSERT_TRUE(link.ok()) << link.status();
      site->link = std::move(*link);
      Result<std::unique_ptr<ChildProcess>> proxy =
          StartIn(centre_->name(), SIGHTLINE_DELAY_PROXY,
                  {"--listen", net + "1:" + std::to_string(kProxyPort), "--to", "127.0.0.1:" + std::to_string(kNatsPort),
                   "--delay-ms", std::to_string(kOneWayDelay.count())});
      ASSERT_TRUE(proxy.ok()) << proxy.status();
      site->proxy = std::move(*proxy);
      ASSERT_TRUE(site->proxy->WaitForLinePrefix("listening on ", 10'000).ok());
      Result<Camsim> camsim = StartCamsim({"name=cam0,file=" + *media}, site->ns->name());
      ASSERT_TRUE(camsim.ok()) << camsim.status();
      site->camsim = std::move(*camsim);
      const std::string config = site->dir + "/sightline.yaml";
      WriteRecordConfig(config, "  dirs: [" + site->dir + "/disk]\n  segment_duration: 10s\n", site->camsim.port,
                        {"cam0"});
      std::ofstream(config, std::ios::app) << "site:\n  name: " << site->name << "\n  nats_url: nats://" << net
                                           << "1:" << kProxyPort << "\n  link_kbit_s: " << kLinkKbit << "\n";
      Result<SightlineRun> run = StartSightlineRun(config, site->ns->name());
      ASSERT_TRUE(run.ok()) << run.status();
      site->run = std::move(run->process);
      sites_.push_back(std::move(site));
    }
  }

  void TearDown() override {
    for (auto& site : sites_) {
      site->StopProducer();
      // A test that failed during an outage: the site stops cleanly over a working link.
      if (site->link) site->link->SetUp(true).IgnoreError();
    }
  }

  void StartProducer(Site& site, std::chrono::milliseconds gap) {
    site.producer = std::thread([&site, gap] {
      ProduceEvents(site.IndexPath(), 1'000'000, gap, site.stop_producer, site.produced);
    });
  }

  // Waits until the centre has every row the site committed (and, with `outbox_empty`, the
  // site's outbox is empty too: the last acknowledgement arrived); returns how long that took,
  // or fails the test after `timeout` (and returns nullopt).
  std::optional<SteadyClock::duration> WaitUntilCentreHasEverything(Site& site, SteadyClock::duration timeout,
                                                                    bool outbox_empty = true) {
    const auto start = SteadyClock::now();
    Rows at_site, at_centre;
    while (SteadyClock::now() - start < timeout) {
      at_site = RowsAtSite(site.IndexPath());
      at_centre = RowsAtCentre(*pg_, site.name);
      if (at_site == at_centre && (!outbox_empty || at_site.outbox == 0)) return SteadyClock::now() - start;
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "after " << Seconds(timeout) << " s " << site.name << " has " << at_site << ", the centre "
                  << at_centre;
    return std::nullopt;
  }

  // Raises `n` events at each site and waits until the centre has them: the path works.
  void WarmUp(int n) {
    for (auto& site : sites_) ProduceEvents(site->IndexPath(), n, 0ms, site->stop_producer, site->produced);
    for (auto& site : sites_) {
      ASSERT_TRUE(WaitUntilCentreHasEverything(*site, 90s)) << site->name << " never reached the centre";
    }
  }

  void ExpectNothingLostOrDuplicated(Site& site) {
    const Rows at_site = RowsAtSite(site.IndexPath());
    const Rows at_centre = RowsAtCentre(*pg_, site.name);  // fails the test on duplicates
    EXPECT_EQ(at_site.events, at_centre.events) << site.name;
    EXPECT_EQ(at_site.alarms, at_centre.alarms) << site.name;
    EXPECT_EQ(at_site.audit, at_centre.audit) << site.name;
    EXPECT_EQ(at_site.outbox, 0) << site.name;
  }

  store::testing::TempDir tmp_;
  std::unique_ptr<NetNamespace> centre_;  // outlives every process in it
  std::unique_ptr<Postgres> pg_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<Central> central_;
  std::vector<std::unique_ptr<Site>> sites_;  // stopped first
};

TEST_F(MultisiteLinkTest, EventsQueuedInA45sOutageReachTheCentreWithin60sOfTheLinksReturn) {
  WarmUp(20);
  Site& a = *sites_[0];
  Site& b = *sites_[1];
  // Site b raises an event every 250 ms throughout; site a's link goes down.
  StartProducer(b, 250ms);
  ASSERT_TRUE(a.link->SetUp(false).ok());
  const auto down_at = SteadyClock::now();
  std::thread outage_events([&a] { ProduceEvents(a.IndexPath(), kOutageEvents, 5ms, a.stop_producer, a.produced); });

  // Site b keeps reporting: what it committed 30 s into the outage is at the centre 15 s later.
  std::this_thread::sleep_until(down_at + 30s);
  const Rows b_before = RowsAtSite(b.IndexPath());
  std::this_thread::sleep_until(down_at + kOutage);
  const Rows b_centre = RowsAtCentre(*pg_, b.name);
  EXPECT_TRUE(std::includes(b_centre.events.begin(), b_centre.events.end(), b_before.events.begin(),
                            b_before.events.end()))
      << "site-b stalled during site-a's outage: it had " << b_before << " at 30 s, the centre " << b_centre
      << " at 45 s";
  outage_events.join();  // bounded: kOutageEvents commits
  const Rows a_queued = RowsAtSite(a.IndexPath());
  ASSERT_EQ(a.produced, 20 + kOutageEvents);

  // The site's TCP connection as the link returns: its retransmission backoff decides when
  // the first byte moves again.
  std::cout << "[ metric   ] site-a's connection at the link's return: "
            << a.ns->Output("ss -tinH state established dst 10.77.1.1") << "\n";
  const int64_t tx0 = a.link->TxBytes(), rx0 = a.link->RxBytes();
  ASSERT_TRUE(a.link->SetUp(true).ok());
  const auto up_at = SteadyClock::now();
  const double outage_s = Seconds(up_at - down_at);
  // The acceptance: every row in PostgreSQL within the bound. The site learns it from the
  // last acknowledgement a round trip later and empties its outbox (checked after).
  const std::optional<SteadyClock::duration> drain =
      WaitUntilCentreHasEverything(a, kDrainBound - (SteadyClock::now() - up_at), /*outbox_empty=*/false);
  const double drain_s = Seconds(SteadyClock::now() - up_at);
  const int64_t tx = a.link->TxBytes() - tx0, rx = a.link->RxBytes() - rx0;
  EXPECT_TRUE(drain.has_value()) << "site-a's backlog of " << a_queued.outbox << " rows did not reach the centre within "
                                 << Seconds(kDrainBound) << " s of the link's return";

  EXPECT_TRUE(WaitUntilCentreHasEverything(a, 30s).has_value()) << "site-a's outbox did not empty";
  b.StopProducer();
  EXPECT_TRUE(WaitUntilCentreHasEverything(b, 60s).has_value());
  ExpectNothingLostOrDuplicated(a);
  ExpectNothingLostOrDuplicated(b);

  // The floor: the rows' bytes on the wire at the link's rate.
  const double bytes_per_row = a_queued.outbox > 0 ? static_cast<double>(tx) / a_queued.outbox : 0;
  const double floor_s = static_cast<double>(tx) / (kLinkKbit * 1000 / 8);
  std::cout << std::fixed << std::setprecision(1) << "[ metric   ] " << kLinkKbit << " kbit/s, "
            << 2 * kOneWayDelay.count() << " ms RTT, outage " << outage_s << " s: site-a's backlog of "
            << a_queued.outbox << " rows (" << kOutageEvents << " events + alarms) at the centre " << drain_s
            << " s after the link's return (bound " << Seconds(kDrainBound) << " s); on the link " << tx
            << " bytes up, " << rx << " down: " << bytes_per_row << " bytes per row, floor " << floor_s
            << " s at the link rate; site-b " << b.produced << " events, unaffected\n";
}

TEST_F(MultisiteLinkTest, AnIdleSiteCostsAtMost2MBADayOnItsLink) {
  WarmUp(5);
  std::this_thread::sleep_for(5s);  // the last acknowledgements settle
  constexpr auto kMeasure = 60s;
  std::array<int64_t, 2> before{}, packets_before{};
  for (size_t i = 0; i < sites_.size(); ++i) {
    before[i] = sites_[i]->LinkBytes();
    packets_before[i] = sites_[i]->link->Packets();
  }
  const auto start = SteadyClock::now();
  std::this_thread::sleep_for(kMeasure);
  const double measured_s = Seconds(SteadyClock::now() - start);
  for (size_t i = 0; i < sites_.size(); ++i) {
    const int64_t bytes = sites_[i]->LinkBytes() - before[i];
    const int64_t packets = sites_[i]->link->Packets() - packets_before[i];
    const double per_day = bytes * 86400.0 / measured_s;
    std::cout << std::fixed << std::setprecision(0) << "[ metric   ] idle " << sites_[i]->name << ": " << bytes
              << " bytes (" << packets << " frames) on its link in " << measured_s << " s = " << per_day
              << " bytes/day (bound "
              << kIdleBytesPerDayBound << ")\n";
    EXPECT_GT(bytes, 0) << "the counters moved: the site is connected and pinging";
    EXPECT_LE(per_day, kIdleBytesPerDayBound) << sites_[i]->name;
  }
}

}  // namespace
}  // namespace sightline::testing
