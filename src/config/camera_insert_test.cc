// Adding onvif: cameras to the text of sightline.yaml: comments and layout kept, every shape
// of `cameras:`, names checked, and a result that would not parse refused.
#include "config/camera_insert.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using namespace test_util;

const std::vector<NewOnvifCamera> kDoor = {{"door", "10.0.0.7:8000", "admin", "pa\"ss\\word"}};

std::string Add(std::string_view text, const std::vector<NewOnvifCamera>& cameras = kDoor, std::string_view note = "") {
  Result<std::string> r = AddOnvifCameras(text, cameras, "test.yaml", note, kEnv);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::string();
}

Status AddError(std::string_view text, const std::vector<NewOnvifCamera>& cameras) {
  Result<std::string> r = AddOnvifCameras(text, cameras, "test.yaml", "", kEnv);
  EXPECT_FALSE(r.ok()) << *r;
  return r.ok() ? Status::Ok() : r.status();
}

constexpr char kCommented[] = R"yaml(# The site's recorder.
storage:
  dirs: [/data]   # the big disk
cameras:
  # The front of the house.
  front:
    streams:
      main: {url: rtsp://front/main, roles: [record]}   # 4K
  # back: not installed yet

# Metrics for Prometheus.
metrics:
  enabled: false
)yaml";

TEST(CameraInsertTest, EntriesGoAtTheEndOfTheSectionAndEveryCommentStays) {
  const std::string out = Add(kCommented, kDoor, "added by admin in the web UI");
  EXPECT_EQ(out, R"yaml(# The site's recorder.
storage:
  dirs: [/data]   # the big disk
cameras:
  # The front of the house.
  front:
    streams:
      main: {url: rtsp://front/main, roles: [record]}   # 4K
  # back: not installed yet
  # added by admin in the web UI
  door:
    onvif: {host: "10.0.0.7:8000", user: "admin", password: "pa\"ss\\word"}

# Metrics for Prometheus.
metrics:
  enabled: false
)yaml");
  const Config c = ParseOk(out);
  ASSERT_EQ(c.cameras.size(), 2u);
  EXPECT_EQ(c.cameras[0].name, "front");
  EXPECT_EQ(c.cameras[1].name, "door");
  ASSERT_TRUE(c.cameras[1].onvif.has_value());
  EXPECT_EQ(c.cameras[1].onvif->device_url, "http://10.0.0.7:8000/onvif/device_service");
  EXPECT_EQ(c.cameras[1].onvif->password, "pa\"ss\\word");
}

TEST(CameraInsertTest, FollowsTheFilesIndentationAndLineEnds) {
  const std::string four = "storage:\r\n    dirs: [/data]\r\ncameras:\r\n    cam:\r\n        streams:\r\n"
                           "            main: {url: rtsp://cam/main, roles: [record]}\r\n";
  EXPECT_EQ(Add(four), four + "    door:\r\n        onvif: {host: \"10.0.0.7:8000\", user: \"admin\", "
                              "password: \"pa\\\"ss\\\\word\"}\r\n");
}

TEST(CameraInsertTest, EmptyAndFlowEmptyCamerasBecomeABlockMap) {
  const std::string head = "storage:\n  dirs: [/data]\n";
  const std::string door = "  door:\n    onvif: {host: \"10.0.0.7:8000\", user: \"admin\", password: \"pa\\\"ss\\\\word\"}\n";
  EXPECT_EQ(Add(head + "cameras:\n"), head + "cameras:\n" + door);
  EXPECT_EQ(Add(head + "cameras: {}   # none yet\nrecord: {max_age: 7d}\n"),
            head + "cameras: # none yet\n" + door + "record: {max_age: 7d}\n");
  EXPECT_EQ(Add(head + "cameras: ~\n"), head + "cameras:\n" + door);
}

TEST(CameraInsertTest, AFileWithoutCamerasGetsTheSectionAtItsEnd) {
  const std::string head = "storage:\n  dirs: [/data]  # no newline at the end";
  const std::string out = Add(head);
  EXPECT_EQ(out, head + "\ncameras:\n  door:\n    onvif: {host: \"10.0.0.7:8000\", user: \"admin\", "
                        "password: \"pa\\\"ss\\\\word\"}\n");
  EXPECT_EQ(ParseOk(out).cameras.size(), 1u);
}

TEST(CameraInsertTest, SeveralCamerasWithAndWithoutCredentialsAndEnvReferences) {
  const std::string out = Add(kMinimal, {{"a", "http://10.0.0.8/onvif/device_service", "", ""},
                                         {"b-2", "10.0.0.9", "ops", "${GATE_PASSWORD}"}});
  EXPECT_NE(out.find("  a:\n    onvif: {host: \"http://10.0.0.8/onvif/device_service\"}\n"), std::string::npos) << out;
  // The reference is kept as text in the file, and expanded when the file is read.
  EXPECT_NE(out.find("password: \"${GATE_PASSWORD}\""), std::string::npos) << out;
  const Config c = ParseOk(out);
  ASSERT_EQ(c.cameras.size(), 3u);
  EXPECT_EQ(c.cameras[2].onvif->password, "g4te");
  EXPECT_EQ(c.cameras[1].onvif->user, "");
}

TEST(CameraInsertTest, NamesAreCheckedAgainstTheRuleEachOtherAndTheFile) {
  auto message = [](std::string_view text, std::vector<NewOnvifCamera> cams) {
    return std::string(AddError(text, cams).message());
  };
  EXPECT_NE(message(kMinimal, {{"cam", "10.0.0.7", "", ""}}).find("already has a camera of that name"),
            std::string::npos);
  EXPECT_NE(message(kMinimal, {{"x", "10.0.0.7", "", ""}, {"x", "10.0.0.8", "", ""}}).find("given twice"),
            std::string::npos);
  const std::string bad = message(kMinimal, {{"front door", "10.0.0.7", "", ""}});
  EXPECT_NE(bad.find("\"front door\""), std::string::npos) << bad;
  EXPECT_NE(bad.find("letters, digits, _ or -"), std::string::npos) << bad;
  EXPECT_NE(message(kMinimal, {{std::string(65, 'a'), "10.0.0.7", "", ""}}).find("1 to 64"), std::string::npos);
  EXPECT_NE(message(kMinimal, {{"x", "10.0.0.7", "admin", ""}}).find("both user and password"), std::string::npos);
  EXPECT_NE(message(kMinimal, {{"x", "", "", ""}}).find("no host"), std::string::npos);
  EXPECT_NE(message(kMinimal, {{"x", "10.0.0.7\nstorage:", "", ""}}).find("control characters"), std::string::npos);
  EXPECT_NE(message(kMinimal, {}).find("no cameras"), std::string::npos);
}

TEST(CameraInsertTest, AResultThatWouldNotParseIsRefusedAndNamesTheProblem) {
  // Credentials in the host: the parser refuses it, and the message never quotes them.
  const Status s = AddError(kMinimal, {{"x", "http://admin:hunter2@10.0.0.7", "", ""}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("would not be valid"), std::string::npos) << s;
  EXPECT_NE(s.message().find("cameras.x.onvif.host"), std::string::npos) << s;
  EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << s;
  // An unset variable would stop the next start.
  const Status env = AddError(kMinimal, {{"x", "10.0.0.7", "admin", "${NO_SUCH_VARIABLE}"}});
  EXPECT_NE(env.message().find("NO_SUCH_VARIABLE"), std::string::npos) << env;
}

TEST(CameraInsertTest, AFileWithErrorsAlreadySaysSo) {
  const Status s = AddError(Minimal("dirs: [/data]", "dirs: [relative]"), kDoor);
  EXPECT_NE(s.message().find("has errors already"), std::string::npos) << s;
}

TEST(CameraInsertTest, ShapesThatCannotBeEditedAsTextAreRefused) {
  const std::string head = "storage:\n  dirs: [/data]\n";
  const Status flow = AddError(head + "cameras: {cam: {streams: {main: {url: rtsp://c/m, roles: [record]}}}}\n", kDoor);
  EXPECT_EQ(flow.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(flow.message().find("test.yaml:3: cameras is written in flow style"), std::string::npos) << flow;
  EXPECT_EQ(AddError("{storage: {dirs: [/data]}, cameras: {}}\n", kDoor).code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(AddError(head + "cameras: [a, b]\n", kDoor).message().find("not a map of camera names"), std::string::npos);
  EXPECT_NE(AddError("storage: [\n", kDoor).message().find("fix the YAML of the file by hand first: test.yaml:"),
            std::string::npos);
}

TEST(CameraInsertTest, QuotingEscapesWhatYamlWouldReadOtherwise) {
  EXPECT_EQ(YamlQuoted("plain"), "\"plain\"");
  EXPECT_EQ(YamlQuoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(YamlQuoted(std::string("t\tn\x7f", 4)), "\"t\\x09n\\x7f\"");
  EXPECT_EQ(YamlQuoted("#: {x} 'y'"), "\"#: {x} 'y'\"");
}

}  // namespace
}  // namespace sightline::config
