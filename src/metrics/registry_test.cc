#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace sightline::metrics {
namespace {

TEST(RegistryTest, UnlabelledInstrumentsAreScrapedFromRegistration) {
  Registry r;
  Result<Counter*> c = r.AddCounter("a_total", "A.");
  ASSERT_TRUE(c.ok()) << c.status();
  Result<Gauge*> g = r.AddGauge("b", "B.");
  ASSERT_TRUE(g.ok()) << g.status();
  (*c)->Increment(3);
  (*g)->Set(-2.5);
  const std::vector<FamilySnapshot> got = r.Collect();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].name, "a_total");
  EXPECT_EQ(got[0].type, MetricType::kCounter);
  ASSERT_EQ(got[0].series.size(), 1u);
  EXPECT_EQ(got[0].series[0].value, 3);
  EXPECT_EQ(got[1].series[0].value, -2.5);
}

TEST(RegistryTest, LabelledChildrenAreMadeOnceAndListedInLabelOrder) {
  Registry r;
  Result<Family<Counter, 2>*> f = r.AddFamily<Counter, 2>("req_total", "Requests.", {"route", "code"});
  ASSERT_TRUE(f.ok()) << f.status();
  Counter& ok = (*f)->With({"/b", "200"});
  ok.Increment();
  (*f)->With({"/a", "404"}).Increment(2);
  EXPECT_EQ(&(*f)->With({"/b", "200"}), &ok);
  (*f)->With({"/b", "200"}).Increment();
  const std::vector<FamilySnapshot> got = r.Collect();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].label_names, (std::vector<std::string>{"route", "code"}));
  ASSERT_EQ(got[0].series.size(), 2u);
  EXPECT_EQ(got[0].series[0].label_values, (std::vector<std::string>{"/a", "404"}));
  EXPECT_EQ(got[0].series[0].value, 2);
  EXPECT_EQ(got[0].series[1].value, 2);
}

TEST(RegistryTest, BadRegistrationsAreRefusedWithTheFamilysName) {
  Registry r;
  ASSERT_TRUE(r.AddCounter("x_total", "").ok());
  Result<Counter*> twice = r.AddCounter("x_total", "");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("\"x_total\" registered twice"), std::string::npos);
  Result<Histogram*> h = r.AddHistogram("h_seconds", "", {2, 1});
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("\"h_seconds\""), std::string::npos) << h.status();
  Result<Family<Gauge, 1>*> g = r.AddFamily<Gauge, 1>("g", "", {"bad label"});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("\"bad label\""), std::string::npos) << g.status();
  Result<Family<Gauge, 0>*> bounds = r.AddFamily<Gauge, 0>("g2", "", {}, {1.0});
  EXPECT_FALSE(bounds.ok());
  // Refused names stay free.
  EXPECT_TRUE(r.AddHistogram("h_seconds", "", {1, 2}).ok());
}

TEST(RegistryTest, CollectorsAddTheirFamiliesAfterTheRegisteredOnes) {
  Registry r;
  ASSERT_TRUE(r.AddGauge("first", "").ok());
  int calls = 0;
  r.AddCollector([&calls](std::vector<FamilySnapshot>& out) {
    ++calls;
    FamilySnapshot f{"up", "Up.", MetricType::kGauge, {"camera"}, {}};
    f.Add({"front"}, 1);
    out.push_back(std::move(f));
  });
  const std::vector<FamilySnapshot> got = r.Collect();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].name, "up");
  EXPECT_EQ(got[1].series[0].label_values[0], "front");
  r.Collect();
  EXPECT_EQ(calls, 2);
}

TEST(RegistryTest, ScrapesDuringUpdatesSeeMonotonicCounts) {
  Registry r;
  Result<Family<Counter, 1>*> f = r.AddFamily<Counter, 1>("n_total", "", {"k"});
  ASSERT_TRUE(f.ok());
  Counter& c = (*f)->With({"a"});
  std::thread writer([&c] {
    for (int i = 0; i < 100000; ++i) c.Increment();
  });
  double last = 0;
  for (int i = 0; i < 200; ++i) {
    const double v = r.Collect()[0].series[0].value;
    EXPECT_GE(v, last);
    last = v;
  }
  writer.join();
  EXPECT_EQ(r.Collect()[0].series[0].value, 100000);
}

}  // namespace
}  // namespace sightline::metrics
