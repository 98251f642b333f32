#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics/registry.h"

namespace sightline::metrics {
namespace {

TEST(ExpositionTest, CountersAndGaugesWithLabels) {
  FamilySnapshot frames{
      "sightline_camera_frames_total", "Frames received.", MetricType::kCounter, {"camera", "stream"}, {}};
  frames.Add({"front", "main"}, 1200);
  frames.Add({"back", "sub"}, 7);
  FamilySnapshot info{"sightline_build_info", "Build.", MetricType::kGauge, {"version"}, {}};
  info.Add({"0.1"}, 1);
  Result<std::string> text = RenderText({frames, info});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "# HELP sightline_camera_frames_total Frames received.\n"
            "# TYPE sightline_camera_frames_total counter\n"
            "sightline_camera_frames_total{camera=\"front\",stream=\"main\"} 1200\n"
            "sightline_camera_frames_total{camera=\"back\",stream=\"sub\"} 7\n"
            "# HELP sightline_build_info Build.\n"
            "# TYPE sightline_build_info gauge\n"
            "sightline_build_info{version=\"0.1\"} 1\n");
}

TEST(ExpositionTest, LabelValuesAndHelpAreEscaped) {
  FamilySnapshot f{"x", "Line one\nback\\slash \"quoted\"", MetricType::kGauge, {"path"}, {}};
  f.Add({"a\"b\\c\nd"}, 1);
  Result<std::string> text = RenderText({f});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(text->find("# HELP x Line one\\nback\\\\slash \"quoted\"\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("x{path=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << *text;
}

TEST(ExpositionTest, HistogramsAreCumulativeAndEndWithInf) {
  Registry r;
  Result<Histogram*> h = r.AddHistogram("sightline_index_commit_seconds", "Commit time.", {0.005, 0.25, 1});
  ASSERT_TRUE(h.ok());
  for (double v : {0.001, 0.002, 0.1, 3.0}) (*h)->Observe(v);
  Result<std::string> text = RenderText(r.Collect());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "# HELP sightline_index_commit_seconds Commit time.\n"
            "# TYPE sightline_index_commit_seconds histogram\n"
            "sightline_index_commit_seconds_bucket{le=\"0.005\"} 2\n"
            "sightline_index_commit_seconds_bucket{le=\"0.25\"} 3\n"
            "sightline_index_commit_seconds_bucket{le=\"1\"} 3\n"
            "sightline_index_commit_seconds_bucket{le=\"+Inf\"} 4\n"
            "sightline_index_commit_seconds_sum 3.103\n"
            "sightline_index_commit_seconds_count 4\n");
}

TEST(ExpositionTest, LabelledHistogramsPutLeLast) {
  Registry r;
  auto f = r.AddFamily<Histogram, 1>("d_seconds", "", {"dir"}, {1});
  ASSERT_TRUE(f.ok());
  (*f)->With({"/a"}).Observe(0.5);
  Result<std::string> text = RenderText(r.Collect());
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("d_seconds_bucket{dir=\"/a\",le=\"1\"} 1\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("d_seconds_sum{dir=\"/a\"} 0.5\n"), std::string::npos) << *text;
}

TEST(ExpositionTest, ValuesInTheirShortestExactForm) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(1e12), "1000000000000");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1e-6), "1e-06");
  EXPECT_EQ(FormatValue(1e20), "1e+20");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
}

TEST(ExpositionTest, MalformedSnapshotsAreRefusedNamingTheFamily) {
  FamilySnapshot f{"up", "", MetricType::kGauge, {"camera", "stream"}, {}};
  f.Add({"front"}, 1);
  Result<std::string> text = RenderText({f});
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("metric \"up\": a series has 1 label values for 2"),
            std::string::npos)
      << text.status();

  FamilySnapshot dup{"up", "", MetricType::kGauge, {"camera"}, {}};
  dup.Add({"a"}, 1);
  dup.Add({"a"}, 2);
  text = RenderText({dup});
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("two series with the labels {camera=\"a\"}"), std::string::npos)
      << text.status();

  FamilySnapshot one{"up", "", MetricType::kGauge, {}, {}};
  text = RenderText({one, one});
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("\"up\" appears twice"), std::string::npos) << text.status();

  FamilySnapshot bad{"frames", "", MetricType::kCounter, {}, {}};
  EXPECT_FALSE(RenderText({bad}).ok());

  FamilySnapshot hist{"h", "", MetricType::kHistogram, {}, {}};
  hist.series.push_back(Series{{}, 0, HistogramValue{{1, 2}, {1}, 0}});
  text = RenderText({hist});
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("one count per bound"), std::string::npos) << text.status();
}

TEST(ExpositionTest, AFamilyWithoutSeriesStillHasItsHelpAndType) {
  Result<std::string> text =
      RenderText({FamilySnapshot{"v", "Viewers.", MetricType::kGauge, {"camera"}, {}}});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "# HELP v Viewers.\n# TYPE v gauge\n");
}

}  // namespace
}  // namespace sightline::metrics
