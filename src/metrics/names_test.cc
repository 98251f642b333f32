#include "metrics/names.h"

#include <gtest/gtest.h>

namespace sightline::metrics {
namespace {

TEST(MetricNamesTest, MetricNamesFollowTheDataModel) {
  EXPECT_TRUE(IsMetricName("sightline_camera_frames_total"));
  EXPECT_TRUE(IsMetricName("job:rate5m"));
  EXPECT_TRUE(IsMetricName("_x"));
  EXPECT_FALSE(IsMetricName(""));
  EXPECT_FALSE(IsMetricName("1st"));
  EXPECT_FALSE(IsMetricName("camera-frames"));
  EXPECT_FALSE(IsMetricName("frames total"));
}

TEST(MetricNamesTest, LabelNamesRefuseColonsAndTheReservedPrefix) {
  EXPECT_TRUE(IsLabelName("camera"));
  EXPECT_TRUE(IsLabelName("_x1"));
  EXPECT_FALSE(IsLabelName("__name__"));
  EXPECT_FALSE(IsLabelName("a:b"));
  EXPECT_FALSE(IsLabelName("9a"));
  EXPECT_FALSE(IsLabelName(""));
}

TEST(MetricNamesTest, FamilyShapeErrorsNameTheFamilyAndTheLabel) {
  EXPECT_TRUE(CheckFamilyShape("x_total", MetricType::kCounter, {"camera", "stream"}).ok());
  Status s = CheckFamilyShape("sightline_frames", MetricType::kCounter, {});
  EXPECT_NE(s.message().find("\"sightline_frames\""), std::string::npos) << s;
  EXPECT_NE(s.message().find("_total"), std::string::npos) << s;
  s = CheckFamilyShape("x", MetricType::kGauge, {"camera", "camera"});
  EXPECT_NE(s.message().find("label \"camera\" twice"), std::string::npos) << s;
  s = CheckFamilyShape("x", MetricType::kGauge, {"bad-label"});
  EXPECT_NE(s.message().find("\"bad-label\""), std::string::npos) << s;
  s = CheckFamilyShape("x_seconds", MetricType::kHistogram, {"le"});
  EXPECT_NE(s.message().find("\"le\""), std::string::npos) << s;
  EXPECT_TRUE(CheckFamilyShape("x", MetricType::kGauge, {"le"}).ok());
}

}  // namespace
}  // namespace sightline::metrics
