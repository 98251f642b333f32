#include "tools/camsim/camera_spec.h"

#include <gtest/gtest.h>

namespace sightline::camsim {
namespace {

TEST(CamsimSpecTest, OneCameraWithFaultsAndQuirks) {
  auto specs = ParseCameraSpec(
      "name=front,file=a.mp4,drop=30,stall=2/10,garbage=5,gap=1.5,tsjump=60,spschange=20,"
      "alt=b.mp4,slow=250,quirk=no-sprop,quirk=marker-never,user=u,password=p");
  ASSERT_TRUE(specs.ok()) << specs.status();
  ASSERT_EQ(specs->size(), 1u);
  const CameraSpec& s = (*specs)[0];
  EXPECT_EQ(s.name, "front");
  EXPECT_EQ(s.file, "a.mp4");
  EXPECT_EQ(s.user, "u");
  EXPECT_EQ(s.password, "p");
  EXPECT_DOUBLE_EQ(s.faults.drop_every_s, 30);
  EXPECT_DOUBLE_EQ(s.faults.stall_s, 2);
  EXPECT_DOUBLE_EQ(s.faults.stall_every_s, 10);
  EXPECT_DOUBLE_EQ(s.faults.garbage_every_s, 5);
  EXPECT_DOUBLE_EQ(s.faults.gap_every_s, 1.5);
  EXPECT_DOUBLE_EQ(s.faults.tsjump_every_s, 60);
  EXPECT_DOUBLE_EQ(s.faults.spschange_every_s, 20);
  EXPECT_EQ(s.faults.alt_file, "b.mp4");
  EXPECT_EQ(s.faults.slow_ms, 250);
  EXPECT_TRUE(s.faults.any());
  EXPECT_TRUE(s.quirks.no_sprop);
  EXPECT_TRUE(s.quirks.marker_never);
  EXPECT_FALSE(s.quirks.marker_always);
  EXPECT_TRUE(s.quirks.any());
}

TEST(CamsimSpecTest, PlainCameraHasNoFaults) {
  auto specs = ParseCameraSpec("name=x,file=a.mp4");
  ASSERT_TRUE(specs.ok()) << specs.status();
  EXPECT_FALSE((*specs)[0].faults.any());
  EXPECT_FALSE((*specs)[0].quirks.any());
}

TEST(CamsimSpecTest, StartOffsetIsOptionalAndMayBeZero) {
  EXPECT_FALSE((*ParseCameraSpec("name=x,file=a.mp4"))[0].start_s.has_value());
  EXPECT_EQ((*ParseCameraSpec("name=x,file=a.mp4,start=0"))[0].start_s, 0.0);
  EXPECT_EQ((*ParseCameraSpec("name=x,file=a.mp4,start=12.5"))[0].start_s, 12.5);
  EXPECT_FALSE(ParseCameraSpec("name=x,file=a.mp4,start=-1").ok());
}

TEST(CamsimSpecTest, ClockOffsetIsSignedMilliseconds) {
  EXPECT_EQ((*ParseCameraSpec("name=x,file=a.mp4"))[0].clock_offset.count(), 0);
  EXPECT_EQ((*ParseCameraSpec("name=x,file=a.mp4,clock_offset=5000"))[0].clock_offset.count(),
            5000);
  EXPECT_EQ((*ParseCameraSpec("name=x,file=a.mp4,clock_offset=+20"))[0].clock_offset.count(), 20);
  // An unset camera clock in 1970 is about -1.8e12 ms off.
  EXPECT_EQ(
      (*ParseCameraSpec("name=x,file=a.mp4,clock_offset=-1800000000000"))[0].clock_offset.count(),
      -1'800'000'000'000);
}

TEST(CamsimSpecTest, EveryQuirkNameParses) {
  for (const std::string& q : QuirkNames()) {
    auto specs = ParseCameraSpec("name=x,file=a.mp4,quirk=" + q);
    ASSERT_TRUE(specs.ok()) << q << ": " << specs.status();
    EXPECT_TRUE((*specs)[0].quirks.any()) << q;
  }
}

TEST(CamsimSpecTest, BraceRangeExpandsNames) {
  auto specs = ParseCameraSpec("name=cam{0..99},file=X.mp4,gap=3");
  ASSERT_TRUE(specs.ok()) << specs.status();
  ASSERT_EQ(specs->size(), 100u);
  EXPECT_EQ((*specs)[0].name, "cam0");
  EXPECT_EQ((*specs)[57].name, "cam57");
  EXPECT_EQ((*specs)[99].name, "cam99");
  for (const CameraSpec& s : *specs) {
    EXPECT_EQ(s.file, "X.mp4");
    EXPECT_DOUBLE_EQ(s.faults.gap_every_s, 3);
  }
}

TEST(CamsimSpecTest, BraceRangePaddingAndErrors) {
  auto padded = ParseCameraSpec("name=c{08..11},file=a.mp4");
  ASSERT_TRUE(padded.ok()) << padded.status();
  ASSERT_EQ(padded->size(), 4u);
  EXPECT_EQ((*padded)[0].name, "c08");
  EXPECT_EQ((*padded)[3].name, "c11");
  for (const char* bad : {"name=c{1..,file=a.mp4", "name=c{a..b},file=a.mp4"}) {
    auto spec = ParseCameraSpec(bad);
    ASSERT_FALSE(spec.ok()) << bad;
    EXPECT_NE(spec.status().message().find("name"), std::string::npos) << spec.status();
  }
}

// Each error names the key at fault.
TEST(CamsimSpecTest, ErrorsNameTheKey) {
  struct Case {
    const char* spec;
    const char* key;
  };
  const Case cases[] = {
      {"file=a.mp4", "name"},
      {"name=a", "file"},
      {"name=a,file=a.mp4,drop=x", "drop"},
      {"name=a,file=a.mp4,drop=-1", "drop"},
      {"name=a,file=a.mp4,stall=5", "stall"},
      {"name=a,file=a.mp4,stall=5/2", "stall"},
      {"name=a,file=a.mp4,gap=", "gap"},
      {"name=a,file=a.mp4,slow=fast", "slow"},
      {"name=a,file=a.mp4,quirk=nope", "quirk"},
      {"name=a,file=a.mp4,colour=red", "colour"},
      {"name=a,file=a.mp4,spschange=5", "spschange"},
      {"name=a,file=a.mp4,alt=b.mp4", "spschange"},
      {"name=a,file=a.mp4,user=u", "user"},
      {"name=a/b,file=a.mp4", "name"},
      {"name=a,file=a.mp4,novalue", "novalue"},
      {"name=a,file=a.mp4,quirk=marker-never,quirk=marker-always", "marker"},
      {"name=a,file=a.mp4,clock_offset=1.5", "clock_offset"},
      {"name=a,file=a.mp4,clock_offset=99999999999999", "clock_offset"},
      {"name=a,file=a.mp4,quirk=no-sr,clock_offset=5", "clock_offset"},
      {"name=a,file=a.mp4,quirk=no-sr,quirk=rtcp-before-play", "no-sr"},
      {"name=a,file=a.mp4,quirk=onvif-digest-only,quirk=onvif-token-only", "onvif-digest-only"},
      {"name=a,file=a.mp4,quirk=onvif-xaddr-wrong,quirk=onvif-xaddr-relative", "xaddr"},
      {"name=a,file=a.mp4,sub=a", "sub"},
      {"name=a,file=a.mp4,sub=x/y", "sub"},
      {"name=a{0..2},file=a.mp4,sub=b{0..1}", "sub"},
      {"name=a,file=a.mp4,sub=b{1..", "sub"},
  };
  for (const Case& c : cases) {
    auto r = ParseCameraSpec(c.spec);
    ASSERT_FALSE(r.ok()) << c.spec;
    EXPECT_NE(r.status().message().find(c.key), std::string::npos)
        << c.spec << " -> " << r.status();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(CamsimSpecTest, SubstreamPairsWithNameRanges) {
  auto one = ParseCameraSpec("name=front,file=a.mp4,sub=front_sub");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ((*one)[0].substream, "front_sub");
  auto many = ParseCameraSpec("name=cam{0..2},file=a.mp4,sub=cam{0..2}_sub");
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[0].substream, "cam0_sub");
  EXPECT_EQ((*many)[2].name, "cam2");
  EXPECT_EQ((*many)[2].substream, "cam2_sub");
  auto none = ParseCameraSpec("name=cam,file=a.mp4");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)[0].substream, "");
}

TEST(CamsimSpecTest, OnvifQuirksSetTheirFlags) {
  auto specs = ParseCameraSpec(
      "name=a,file=a.mp4,quirk=onvif-amp,quirk=onvif-xaddr-relative,quirk=onvif-soap11,"
      "quirk=onvif-token-only");
  ASSERT_TRUE(specs.ok()) << specs.status();
  const Quirks& q = (*specs)[0].quirks;
  EXPECT_TRUE(q.onvif_amp);
  EXPECT_TRUE(q.onvif_xaddr_relative);
  EXPECT_FALSE(q.onvif_xaddr_wrong);
  EXPECT_TRUE(q.onvif_soap11);
  EXPECT_TRUE(q.onvif_token_only);
  EXPECT_FALSE(q.onvif_digest_only);
  auto wrong = ParseCameraSpec("name=a,file=a.mp4,quirk=onvif-xaddr-wrong,quirk=onvif-digest-only");
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  EXPECT_TRUE((*wrong)[0].quirks.onvif_xaddr_wrong);
  EXPECT_TRUE((*wrong)[0].quirks.onvif_digest_only);
}

}  // namespace
}  // namespace sightline::camsim
