#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "config/config_test_util.h"

namespace sightline::config {
namespace {

using namespace test_util;

// The fenced blocks of docs/ref/config.md with the given info string, in order.
std::vector<std::string> ReferenceBlocks(std::string_view info) {
  std::ifstream in(SIGHTLINE_CONFIG_REFERENCE);
  std::vector<std::string> blocks;
  std::string line;
  std::optional<std::string> block;
  while (std::getline(in, line)) {
    if (block) {
      if (line == "```") {
        blocks.push_back(std::move(*block));
        block.reset();
      } else {
        block->append(line).append("\n");
      }
    } else if (line == "```" + std::string(info)) {
      block.emplace();
    }
  }
  return blocks;
}

std::string ReferenceExample() {
  const std::vector<std::string> blocks = ReferenceBlocks("yaml");
  return blocks.empty() ? std::string() : blocks.front();
}

void Replace(std::string& text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

TEST(ConfigTest, ReferenceExampleParsesWithOverridesResolved) {
  const std::string yaml = ReferenceExample();
  ASSERT_FALSE(yaml.empty()) << "no ```yaml block in " << SIGHTLINE_CONFIG_REFERENCE;
  const Config c = ParseOk(yaml);

  ASSERT_EQ(c.storage.dirs.size(), 2u);
  EXPECT_EQ(c.storage.dirs[0].path, "/var/lib/sightline/disk1");
  EXPECT_EQ(c.storage.dirs[0].min_free_bytes, 2 * kGiB);
  EXPECT_EQ(c.storage.dirs[1].path, "/var/lib/sightline/disk2");
  EXPECT_EQ(c.storage.dirs[1].min_free_bytes, kGiB);
  EXPECT_EQ(c.storage.index_path, "/var/lib/sightline/index.db");
  EXPECT_EQ(c.storage.flush_interval_ms, 1000);
  EXPECT_EQ(c.storage.segment_duration_s, 60);
  EXPECT_EQ(c.storage.max_pending_bytes_per_stream, 32 << 20);
  EXPECT_EQ(c.record_defaults.max_age_s, 30 * kDayS);
  EXPECT_EQ(c.record_defaults.max_bytes, 0);
  EXPECT_EQ(c.record_defaults.continuous_days, 7);
  EXPECT_EQ(c.record_defaults.motion_days, 30);
  EXPECT_TRUE(c.metrics.enabled);
  ASSERT_EQ(c.metrics.allow.size(), 2u);
  EXPECT_EQ(c.metrics.allow[1].ToString(), "10.0.0.0/8");
  EXPECT_EQ(c.metrics.token, "");
  EXPECT_EQ(c.http.listen, "0.0.0.0:8080");
  EXPECT_EQ(c.http.max_connections, 256);
  EXPECT_FALSE(c.http.tls.has_value());
  EXPECT_EQ(c.http.ui_dir, "");
  EXPECT_EQ(c.auth.session_idle_s, 7 * kDayS);
  EXPECT_EQ(c.auth.session_max_s, 30 * kDayS);
  ASSERT_TRUE(c.mqtt.has_value());
  EXPECT_EQ(c.mqtt->host, "10.0.0.2");
  EXPECT_EQ(c.mqtt->port, 1883);
  EXPECT_EQ(c.mqtt->password, "mq");
  EXPECT_EQ(c.mqtt->topic_prefix, "sightline");
  EXPECT_TRUE(c.mqtt->commands);

  ASSERT_EQ(c.cameras.size(), 3u);
  const CameraConfig& front = c.cameras[0];
  EXPECT_EQ(front.name, "front_door");
  EXPECT_TRUE(front.enabled);
  ASSERT_EQ(front.streams.size(), 2u);
  const StreamConfig& main = front.streams[0];
  EXPECT_EQ(main.name, "main");
  EXPECT_EQ(main.url, "rtsp://10.0.0.5:554/main");
  EXPECT_EQ(main.user, "admin");
  EXPECT_EQ(main.password, "s3cret");
  EXPECT_EQ(main.transport, Transport::kTcp);
  EXPECT_EQ(main.roles, (std::vector<Role>{Role::kRecord, Role::kLive}));
  EXPECT_TRUE(main.HasRole(Role::kRecord));
  EXPECT_FALSE(main.HasRole(Role::kDetect));
  EXPECT_EQ(main.retention.max_age_s, 14 * kDayS);   // camera
  EXPECT_EQ(main.retention.max_bytes, 500 * kGiB);   // stream
  EXPECT_EQ(main.retention.continuous_days, 7);      // global
  EXPECT_EQ(main.retention.motion_days, 14);         // camera
  const StreamConfig& sub = front.streams[1];
  EXPECT_EQ(sub.name, "sub");
  EXPECT_EQ(sub.user, "");
  EXPECT_EQ(sub.roles, std::vector<Role>{Role::kDetect});
  EXPECT_EQ(sub.retention.max_age_s, 14 * kDayS);
  EXPECT_EQ(sub.retention.max_bytes, 0);
  EXPECT_EQ(front.DetectStream(), &sub);
  // Motion: the camera's keys over the top level's over the defaults.
  const MotionConfig& fm = front.motion;
  EXPECT_TRUE(fm.enabled);
  EXPECT_EQ(fm.threshold, 25);
  EXPECT_FALSE(fm.min_area.has_value());
  EXPECT_EQ(fm.max_fps, 5);
  EXPECT_FALSE(fm.keyframes_only);
  ASSERT_EQ(fm.mask.size(), 1u);
  EXPECT_EQ(fm.mask[0], (Polygon{{0, 0}, {0.3, 0}, {0.3, 0.1}, {0, 0.1}}));
  ASSERT_EQ(fm.zones.size(), 1u);
  EXPECT_EQ(fm.zones[0].name, "porch");
  EXPECT_EQ(fm.zones[0].coordinates, (Polygon{{0.2, 0.5}, {0.8, 0.5}, {0.8, 1}, {0.2, 1}}));
  EXPECT_EQ(fm.zones[0].min_area, 0.05);
  EXPECT_EQ(fm.events.pre_capture_ms, 5000);
  EXPECT_EQ(fm.events.post_capture_ms, 10000);
  EXPECT_EQ(fm.events.min_duration_ms, 1000);
  EXPECT_EQ(fm.events.merge_gap_ms, 10000);

  const CameraConfig& yard = c.cameras[1];
  EXPECT_EQ(yard.name, "yard");
  EXPECT_TRUE(yard.enabled);
  ASSERT_EQ(yard.streams.size(), 1u);
  EXPECT_EQ(yard.streams[0].transport, Transport::kUdp);
  EXPECT_EQ(yard.streams[0].roles, (std::vector<Role>{Role::kRecord, Role::kDetect, Role::kLive}));
  EXPECT_EQ(yard.streams[0].retention.max_age_s, 30 * kDayS);  // global
  EXPECT_EQ(yard.streams[0].retention.max_bytes, 0);
  EXPECT_EQ(yard.streams[0].retention.motion_days, 30);
  EXPECT_TRUE(yard.motion.enabled);
  EXPECT_FALSE(yard.motion.threshold.has_value());
  EXPECT_TRUE(yard.motion.mask.empty());
  EXPECT_EQ(yard.motion.events.post_capture_ms, 10000);

  const CameraConfig& gate = c.cameras[2];
  ASSERT_TRUE(gate.onvif.has_value());
  EXPECT_EQ(gate.onvif->device_url, "http://10.0.0.7/onvif/device_service");
  EXPECT_EQ(gate.onvif->password, "g4te");
  ASSERT_EQ(gate.streams.size(), 2u);
  EXPECT_TRUE(gate.motion.enabled);

  EXPECT_EQ(Describe(c), "3 cameras, 5 streams (3 recorded), storage: 2 dirs");
}

// The error example in the reference is what the parser prints for the example with three
// mistakes.
TEST(ConfigTest, ReferenceErrorExampleIsExact) {
  std::string yaml = ReferenceExample();
  ASSERT_FALSE(yaml.empty());
  Replace(yaml, "flush_interval: 1s", "flush_intervall: 1s");
  Replace(yaml, "roles: [record, live]", "roles: [record, recrod]");
  Replace(yaml, "${GATE_PASSWORD}", "g4te");
  const std::vector<std::string> text_blocks = ReferenceBlocks("text");
  std::string expected;
  for (const std::string& b : text_blocks) {
    if (b.starts_with("/etc/sightline.yaml:")) expected = b;
  }
  ASSERT_FALSE(expected.empty()) << "no error example in " << SIGHTLINE_CONFIG_REFERENCE;
  expected.pop_back();  // the block's last newline
  const Result<Config> r = ParseConfig(yaml, "/etc/sightline.yaml", FakeEnv({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), expected);
}

TEST(ConfigTest, Defaults) {
  const Config c = ParseOk(kMinimal);
  ASSERT_EQ(c.storage.dirs.size(), 1u);
  EXPECT_EQ(c.storage.dirs[0].path, "/data");
  EXPECT_EQ(c.storage.dirs[0].min_free_bytes, kGiB);
  EXPECT_EQ(c.storage.index_path, "/data/index.db");
  EXPECT_EQ(c.storage.flush_interval_ms, 1000);
  EXPECT_EQ(c.storage.segment_duration_s, 60);
  EXPECT_EQ(c.storage.max_pending_bytes_per_stream, 32 << 20);
  EXPECT_EQ(c.record_defaults.max_age_s, 0);
  EXPECT_EQ(c.record_defaults.max_bytes, 0);
  ASSERT_EQ(c.cameras.size(), 1u);
  EXPECT_TRUE(c.cameras[0].enabled);
  ASSERT_EQ(c.cameras[0].streams.size(), 1u);
  const StreamConfig& s = c.cameras[0].streams[0];
  EXPECT_EQ(s.transport, Transport::kTcp);
  EXPECT_EQ(s.user, "");
  EXPECT_EQ(s.password, "");
  EXPECT_EQ(s.retention.max_age_s, 0);
  EXPECT_EQ(s.retention.max_bytes, 0);
  EXPECT_EQ(Describe(c), "1 camera, 1 stream (1 recorded), storage: 1 dir");
}

TEST(ConfigTest, CamerasKeepFileOrderAndDisabledCamerasAreDescribed) {
  const Config c = ParseOk(R"yaml(storage: {dirs: [/data]}
cameras:
  zeta:
    enabled: false
    streams: {main: {url: rtsp://z/1, roles: [record]}}
  alpha:
    streams:
      main: {url: rtsp://a/1, roles: [record, live]}
      second: {url: rtsp://a/2, roles: [record]}
      sub: {url: rtsp://a/3, roles: [detect]}
  mid:
    enabled: FALSE
    streams: {main: {url: rtsp://m/1, roles: [live]}}
)yaml");
  ASSERT_EQ(c.cameras.size(), 3u);
  EXPECT_EQ(c.cameras[0].name, "zeta");
  EXPECT_FALSE(c.cameras[0].enabled);
  EXPECT_EQ(c.cameras[1].name, "alpha");
  EXPECT_EQ(c.cameras[2].name, "mid");
  EXPECT_FALSE(c.cameras[2].enabled);
  // Two record streams on one camera are fine.
  EXPECT_EQ(Describe(c), "3 cameras (2 disabled), 3 streams (2 recorded), storage: 1 dir");
}

TEST(ConfigTest, RetentionOverridesKeyByKey) {
  const Config c = ParseOk(R"yaml(storage: {dirs: [/data]}
record: {max_age: 30d, max_bytes: 1TB}
cameras:
  a:
    record: {max_bytes: 2TB}
    streams:
      s1: {url: rtsp://a/1, roles: [record]}
      s2: {url: rtsp://a/2, roles: [record], record: {max_age: 0}}
      s3: {url: rtsp://a/3, roles: [record], record: }
  b:
    record:
    streams:
      s1: {url: rtsp://b/1, roles: [record], record: {max_age: 2h, max_bytes: 0}}
)yaml");
  ASSERT_EQ(c.cameras.size(), 2u);
  ASSERT_EQ(c.cameras[0].streams.size(), 3u);
  const Retention& a1 = c.cameras[0].streams[0].retention;
  EXPECT_EQ(a1.max_age_s, 30 * kDayS);
  EXPECT_EQ(a1.max_bytes, 2'000'000'000'000);
  const Retention& a2 = c.cameras[0].streams[1].retention;
  EXPECT_EQ(a2.max_age_s, 0);  // an explicit 0 overrides: unlimited
  EXPECT_EQ(a2.max_bytes, 2'000'000'000'000);
  const Retention& a3 = c.cameras[0].streams[2].retention;
  EXPECT_EQ(a3.max_age_s, 30 * kDayS);
  EXPECT_EQ(a3.max_bytes, 2'000'000'000'000);
  ASSERT_EQ(c.cameras[1].streams.size(), 1u);
  const Retention& b1 = c.cameras[1].streams[0].retention;
  EXPECT_EQ(b1.max_age_s, 2 * 3600);
  EXPECT_EQ(b1.max_bytes, 0);
}

TEST(ConfigTest, RetentionTiersOverrideKeyByKey) {
  const Config c = ParseOk(R"yaml(storage: {dirs: [/data]}
record: {continuous: {days: 7}, motion: {days: 30}}
cameras:
  a:
    record: {continuous: {days: 0}}
    streams:
      s1: {url: rtsp://a/1, roles: [record]}
      s2: {url: rtsp://a/2, roles: [record], record: {motion: {days: 90}, max_age: 90d}}
  b:
    streams: {s1: {url: rtsp://b/1, roles: [record]}}
)yaml");
  const Retention& a1 = c.cameras[0].streams[0].retention;
  EXPECT_EQ(a1.continuous_days, 0);
  EXPECT_EQ(a1.motion_days, 30);
  const Retention& a2 = c.cameras[0].streams[1].retention;
  EXPECT_EQ(a2.continuous_days, 0);
  EXPECT_EQ(a2.motion_days, 90);
  EXPECT_EQ(a2.max_age_s, 90 * kDayS);
  const Retention& b1 = c.cameras[1].streams[0].retention;
  EXPECT_EQ(b1.continuous_days, 7);
  EXPECT_EQ(b1.motion_days, 30);
  // No tiers by default; continuous alone: motion is kept as long.
  EXPECT_FALSE(ParseOk(kMinimal).cameras[0].streams[0].retention.continuous_days.has_value());
  const Retention only = ParseOk(Minimal("roles: [record]", "roles: [record]\n        record: {continuous: {days: 3}}"))
                             .cameras[0].streams[0].retention;
  EXPECT_EQ(only.continuous_days, 3);
  EXPECT_FALSE(only.motion_days.has_value());
}

TEST(ConfigTest, RetentionTiersMustNotContradict) {
  // Each problem is reported once, at the key that made it.
  EXPECT_EQ(Errors(R"yaml(storage: {dirs: [/data]}
record: {continuous: {days: 7}, motion: {days: 3}}
cameras:
  a:
    record: {motion: {days: 10}}
    streams:
      s1: {url: rtsp://a/1, roles: [record], record: {max_age: 5d}}
      s2: {url: rtsp://a/2, roles: [record], record: {continuous: {days: 12}}}
  b:
    record: {max_age: 30d}
    streams: {s1: {url: rtsp://b/1, roles: [record], record: {continuous: {days: -1}, motion: {}}}}
)yaml"),
            "test.yaml:2:48: record.motion.days: motion days (3) are fewer than continuous days (7): recordings "
            "with motion would be deleted before those without; make motion days at least continuous days\n"
            "test.yaml:7:64: cameras.a.streams.s1.record.max_age: retention tiers keep recordings 10 days, longer "
            "than max_age (5d): max_age deletes every recording older than it, with motion or not\n"
            "test.yaml:8:74: cameras.a.streams.s2.record.continuous.days: motion days (10) are fewer than "
            "continuous days (12): recordings with motion would be deleted before those without; make motion days "
            "at least continuous days\n"
            "test.yaml:11:82: cameras.b.streams.s1.record.continuous.days: \"-1\" is out of range: must be between "
            "0 and 36500\n"
            "test.yaml:11:87: cameras.b.streams.s1.record.motion: missing required key \"days\"");
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: [record]\n        record: {motion: {days: 3}}")),
            "test.yaml:9:33: cameras.cam.streams.main.record.motion.days: motion days without continuous days: "
            "recordings without motion would be kept without limit, longer than those with motion; set "
            "continuous: {days: N} too");
}

TEST(ConfigTest, HttpMaxConnectionsPerIp) {
  EXPECT_EQ(ParseOk(kMinimal).http.max_connections_per_ip, 32);
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "http: {max_connections_per_ip: 8}\n").http.max_connections_per_ip, 8);
  EXPECT_EQ(Errors(std::string(kMinimal) + "http: {max_connections_per_ip: 0}\n"),
            "test.yaml:9:32: http.max_connections_per_ip: \"0\" is out of range: must be between 1 and 100000 "
            "(counted per /24 or /64)");
}

TEST(ConfigTest, HttpAndAuth) {
  const Config d = ParseOk(kMinimal);
  EXPECT_EQ(d.http.listen, "127.0.0.1:8080");
  EXPECT_FALSE(d.http.tls.has_value());
  EXPECT_EQ(d.http.ui_dir, "");
  EXPECT_EQ(d.http.max_connections, 256);
  EXPECT_EQ(d.http.max_exports, 2);
  EXPECT_EQ(d.auth.session_idle_s, 7 * kDayS);
  EXPECT_EQ(d.auth.session_max_s, 30 * kDayS);
  EXPECT_EQ(d.auth.audit_retention_s, 400 * kDayS);

  char dir[] = "/tmp/sightline_config_http_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string cert = std::string(dir) + "/cert.pem";
  const std::string key = std::string(dir) + "/key.pem";
  std::ofstream(cert) << "cert";
  std::ofstream(key) << "key";
  const Config c = ParseOk(std::string(kMinimal) + "http:\n  listen: \"[::1]:0\"\n  tls: {cert: " + cert +
                           ", key: " + key + "}\n  ui_dir: " + dir + "\n  max_connections: 10\n" +
                           "  max_exports: 3\n" +
                           "auth: {session_idle: 1h, session_max: 1d, audit_retention: 90d}\n");
  EXPECT_EQ(c.http.listen, "[::1]:0");
  ASSERT_TRUE(c.http.tls.has_value());
  EXPECT_EQ(c.http.tls->cert_path, cert);
  EXPECT_EQ(c.http.tls->key_path, key);
  EXPECT_EQ(c.http.ui_dir, dir);
  EXPECT_EQ(c.http.max_connections, 10);
  EXPECT_TRUE(c.http.allowed_hosts.empty());
  EXPECT_FALSE(c.http.secure_cookies);
  EXPECT_EQ(c.http.max_exports, 3);
  EXPECT_EQ(c.auth.session_idle_s, 3600);
  EXPECT_EQ(c.auth.session_max_s, kDayS);
  EXPECT_EQ(c.auth.audit_retention_s, 90 * kDayS);
  const Config hosts = ParseOk(std::string(kMinimal) +
                               "http: {allowed_hosts: [nvr.lan, 192.0.2.7, \"2001:db8::1\"], secure_cookies: true}\n");
  EXPECT_EQ(hosts.http.allowed_hosts, (std::vector<std::string>{"nvr.lan", "192.0.2.7", "2001:db8::1"}));
  EXPECT_TRUE(hosts.http.secure_cookies);
  for (const char* bad : {"\"nvr.lan:8080\"", "\"[::1]\"", "\"\""}) {
    Result<Config> r = ParseConfig(std::string(kMinimal) + "http: {allowed_hosts: [" + bad + "]}\n", "t.yaml");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("http.allowed_hosts"), std::string::npos) << r.status();
    }
  }
  for (const char* listen : {"0.0.0.0:443", "nvr.lan:8080", "[2001:db8::1]:65535"}) {
    EXPECT_EQ(ParseOk(std::string(kMinimal) + "http: {listen: \"" + listen + "\"}\n").http.listen, listen);
  }

  const std::string missing = std::string(dir) + "/nope.pem";
  EXPECT_EQ(Errors(std::string(kMinimal) + "http:\n  tls: {cert: " + missing + ", key: " + dir + "}\n" +
                   "  ui_dir: " + cert + "\n  max_connections: 0\n  listen: 8080\n"),
            "test.yaml:10:15: http.tls.cert: \"" + missing + "\" does not exist\n"
            "test.yaml:10:" + std::to_string(22 + missing.size()) + ": http.tls.key: \"" + dir + "\" is not a file\n"
            "test.yaml:11:11: http.ui_dir: \"" + cert + "\" is not a directory\n"
            "test.yaml:12:20: http.max_connections: \"0\" is out of range: must be between 1 and 100000 (each "
            "holds a file descriptor)\n"
            "test.yaml:13:11: http.listen: \"8080\" is not HOST:PORT (for example 127.0.0.1:8080, 0.0.0.0:443 or "
            "[::1]:8080)");
  EXPECT_EQ(Errors(std::string(kMinimal) + "http: {tls: {cert: " + cert + "}}\n"),
            "test.yaml:9:8: http.tls: missing required key \"key\"");
  for (const char* max : {"0", "17"}) {
    EXPECT_NE(Errors(std::string(kMinimal) + "http: {max_exports: " + max + "}\n")
                  .find(std::string("http.max_exports: \"") + max + "\" is out of range"),
              std::string::npos)
        << max;
  }
  for (const char* listen : {":8080", "host:", "host:65536", "[::1]8080", "a b:80", "[]:80", "host:-1"}) {
    EXPECT_NE(Errors(std::string(kMinimal) + "http: {listen: \"" + listen + "\"}\n").find("is not HOST:PORT"),
              std::string::npos)
        << listen;
  }
  EXPECT_EQ(Errors(std::string(kMinimal) + "auth: {session_idle: 60d, session_max: 30s}\n"),
            "test.yaml:9:22: auth.session_idle: session_idle (60d) is longer than session_max (30d): a "
            "session ends at session_max however often it is used\n"
            "test.yaml:9:40: auth.session_max: \"30s\" is out of range: must be between 1m and 365d");
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, AliasesShareSettings) {
  const Config c = ParseOk(R"yaml(storage: {dirs: [/data]}
cameras:
  a:
    record: &short {max_age: 1d}
    streams:
      main: &cam {url: rtsp://a/1, roles: [record]}
  b:
    record: *short
    streams:
      main: *cam
)yaml");
  ASSERT_EQ(c.cameras.size(), 2u);
  ASSERT_EQ(c.cameras[1].streams.size(), 1u);
  EXPECT_EQ(c.cameras[1].streams[0].url, "rtsp://a/1");
  EXPECT_EQ(c.cameras[1].streams[0].retention.max_age_s, kDayS);
}

TEST(ConfigTest, StorageDirsAndIndex) {
  const Config c = ParseOk(R"yaml(storage:
  dirs:
    - /disk1
    - {path: "${DATA}/disk2", min_free: 0}
    - path: /disk3/
      min_free: 10 GB
  index: ${DATA}/index.db
  flush_interval: 100ms
  segment_duration: 10m
  max_pending_per_stream: 1MiB
cameras: {a: {streams: {main: {url: rtsp://a/1, roles: [live]}}}}
)yaml");
  ASSERT_EQ(c.storage.dirs.size(), 3u);
  EXPECT_EQ(c.storage.dirs[0].path, "/disk1");
  EXPECT_EQ(c.storage.dirs[1].path, "/srv/nvr/disk2");
  EXPECT_EQ(c.storage.dirs[1].min_free_bytes, 0);
  EXPECT_EQ(c.storage.dirs[2].path, "/disk3/");
  EXPECT_EQ(c.storage.dirs[2].min_free_bytes, 10'000'000'000);
  EXPECT_EQ(c.storage.index_path, "/srv/nvr/index.db");
  EXPECT_EQ(c.storage.flush_interval_ms, 100);
  EXPECT_EQ(c.storage.segment_duration_s, 600);
  EXPECT_EQ(c.storage.max_pending_bytes_per_stream, 1 << 20);
  EXPECT_EQ(Describe(c), "1 camera, 1 stream (0 recorded), storage: 3 dirs");
}

TEST(ConfigTest, RangeBoundsAreInclusive) {
  EXPECT_EQ(ParseOk(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  flush_interval: 2s\n"))
                .storage.flush_interval_ms,
            2000);
  EXPECT_EQ(ParseOk(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  segment_duration: 10\n"))
                .storage.segment_duration_s,
            10);
}

TEST(ConfigTest, EnvSubstitutionInStrings) {
  const Config c = ParseOk(Minimal("url: rtsp://cam/main",
                                   "url: rtsp://cam/$${not_a_var}\n        user: ${DATA}\n"
                                   "        password: \"$${FRONT_DOOR_PASSWORD}${FRONT_DOOR_PASSWORD}\""));
  ASSERT_EQ(c.cameras.size(), 1u);
  ASSERT_EQ(c.cameras[0].streams.size(), 1u);
  EXPECT_EQ(c.cameras[0].streams[0].url, "rtsp://cam/${not_a_var}");
  EXPECT_EQ(c.cameras[0].streams[0].user, "/srv/nvr");
  EXPECT_EQ(c.cameras[0].streams[0].password, "${FRONT_DOOR_PASSWORD}s3cret");
}

TEST(ConfigTest, MissingEnvVariableIsNamedAndNoSecretIsPrinted) {
  const std::string yaml = Minimal("url: rtsp://cam/main",
                                   "url: rtsp://cam/main\n        user: admin\n"
                                   "        password: ${FRONT_DOOR_PASSWORD}-${CAM_PASSWORD}");
  const std::string errors = Errors(yaml);
  EXPECT_EQ(errors, "test.yaml:9:19: cameras.cam.streams.main.password: environment variable CAM_PASSWORD is not set");
  EXPECT_EQ(errors.find("s3cret"), std::string::npos);
}

TEST(ConfigTest, EnvSyntaxErrors) {
  EXPECT_EQ(Errors(Minimal("dirs: [/data]", "dirs: [\"/data/${OOPS\"]")),
            "test.yaml:2:10: storage.dirs[0]: \"${\" without a closing \"}\" (write \"$${\" for a literal \"${\")");
}

TEST(ConfigTest, UnknownKeySuggestsAndListsAllowedKeys) {
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: [record]\n        trasport: udp")),
            "test.yaml:9:9: cameras.cam.streams.main: unknown key \"trasport\"; did you mean \"transport\"? "
            "Allowed keys: url, user, password, transport, roles, record");
}

TEST(ConfigTest, FutureTopLevelKeysAreUnknownForNow) {
  EXPECT_EQ(Errors(std::string(kMinimal) + "mqtt:\n  host: broker\nobjects: {track: [person]}\n"),
            "test.yaml:11:1: unknown key \"objects\". Allowed keys: storage, record, motion, http, auth, metrics, mqtt, webhooks, cameras, site");
}

TEST(ConfigTest, WrongKinds) {
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: record")),
            "test.yaml:8:16: cameras.cam.streams.main.roles: expected a list, got a scalar");
  EXPECT_EQ(Errors(Minimal("url: rtsp://cam/main", "url: [rtsp://cam/main]")),
            "test.yaml:7:14: cameras.cam.streams.main.url: expected a string, got a list");
  EXPECT_EQ(Errors(Minimal("url: rtsp://cam/main", "url:")),
            "test.yaml:7:9: cameras.cam.streams.main.url: expected a string, got nothing");
  EXPECT_EQ(Errors(Minimal("url: rtsp://cam/main", "url: null")),
            "test.yaml:7:9: cameras.cam.streams.main.url: expected a string, got nothing");
  EXPECT_EQ(Errors(Minimal("storage:\n  dirs: [/data]", "storage: [/data]")),
            "test.yaml:1:10: storage: expected a map, got a list");
  EXPECT_EQ(Errors(Minimal("  cam:\n", "  cam:\n    enabled: yes\n")),
            "test.yaml:5:14: cameras.cam.enabled: expected true or false, got \"yes\"");
  EXPECT_EQ(Errors(Minimal("dirs: [/data]", "dirs: [[/data]]")),
            "test.yaml:2:10: storage.dirs[0]: expected a path or a map with path and min_free");
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: [{record: 1}]")),
            "test.yaml:8:17: cameras.cam.streams.main.roles[0]: expected a role, got a map");
}

TEST(ConfigTest, WrongTopLevel) {
  EXPECT_EQ(Errors(""), "test.yaml:1:1: the file is empty: expected a map with storage and cameras");
  EXPECT_EQ(Errors("# nothing\n"), "test.yaml:1:1: the file is empty: expected a map with storage and cameras");
  EXPECT_EQ(Errors("- a\n- b\n"), "test.yaml:1:1: expected a map, got a list");
  EXPECT_EQ(Errors("storage: {dirs: [/data]}\n"), "test.yaml:1:1: missing required key \"cameras\"");
  EXPECT_EQ(Errors(std::string(kMinimal) + "---\nx: 1\n"),
            "test.yaml:9:1: a second YAML document (after ---): put everything in one");
}

TEST(ConfigTest, MissingRequiredKeys) {
  EXPECT_EQ(Errors(Minimal("        url: rtsp://cam/main\n", "")),
            "test.yaml:6:7: cameras.cam.streams.main: missing required key \"url\"");
  EXPECT_EQ(Errors(Minimal("  dirs: [/data]\n", "  index: /data/i.db\n")),
            "test.yaml:1:1: storage: missing required key \"dirs\"");
  EXPECT_EQ(Errors(Minimal("dirs: [/data]", "dirs: [{min_free: 1GB}]")),
            "test.yaml:2:10: storage.dirs[0]: missing required key \"path\"");
}

TEST(ConfigTest, BadSizesAndDurations) {
  EXPECT_EQ(Errors(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  flush_interval: 10 parsecs\n")),
            "test.yaml:3:19: storage.flush_interval: bad duration \"10 parsecs\": unknown unit \"parsecs\" "
            "(units: ms, s, m, h, d)");
  EXPECT_EQ(Errors(Minimal("dirs: [/data]", "dirs: [{path: /data, min_free: 99999999999TiB}]")),
            "test.yaml:2:34: storage.dirs[0].min_free: bad size \"99999999999TiB\": too large");
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: [record]\n        record: {max_age: 1500ms}")),
            "test.yaml:9:27: cameras.cam.streams.main.record.max_age: \"1500ms\" is not a whole number of seconds");
}

TEST(ConfigTest, OutOfRange) {
  EXPECT_EQ(Errors(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  flush_interval: 99ms\n")),
            "test.yaml:3:19: storage.flush_interval: \"99ms\" is out of range: must be between 100ms and 2s "
            "(a power cut loses at most one flush interval plus one GOP)");
  EXPECT_NE(Errors(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  flush_interval: 2001ms\n"))
                .find("test.yaml:3:19: storage.flush_interval: \"2001ms\" is out of range"),
            std::string::npos);
  EXPECT_EQ(Errors(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  segment_duration: 9s\n")),
            "test.yaml:3:21: storage.segment_duration: \"9s\" is out of range: must be between 10s and 600s");
  EXPECT_NE(Errors(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  segment_duration: 11m\n"))
                .find("\"11m\" is out of range"),
            std::string::npos);
  EXPECT_EQ(Errors(Minimal("  dirs: [/data]\n", "  dirs: [/data]\n  max_pending_per_stream: 1000KiB\n")),
            "test.yaml:3:27: storage.max_pending_per_stream: \"1000KiB\" is out of range: must be at least 1MiB "
            "(at least one GOP of a main stream)");
}

TEST(ConfigTest, UnknownRoleAndTransport) {
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: [record, recrod, record]\n        transport: tpc")),
            "test.yaml:8:25: cameras.cam.streams.main.roles[1]: unknown role \"recrod\" (roles: record, detect, live)\n"
            "test.yaml:8:33: cameras.cam.streams.main.roles[2]: role \"record\" is listed twice\n"
            "test.yaml:9:20: cameras.cam.streams.main.transport: unknown transport \"tpc\" (transports: tcp, udp)");
}

TEST(ConfigTest, StreamWithoutRoles) {
  EXPECT_EQ(Errors(Minimal("        roles: [record]\n", "")),
            "test.yaml:6:7: cameras.cam.streams.main: no roles: give at least one of record, detect, live");
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: []")),
            "test.yaml:8:16: cameras.cam.streams.main.roles: no roles: give at least one of record, detect, live");
}

TEST(ConfigTest, Urls) {
  EXPECT_EQ(ParseOk(Minimal("rtsp://cam/main", "RTSP://cam/main")).cameras[0].streams[0].url, "RTSP://cam/main");
  EXPECT_EQ(ParseOk(Minimal("rtsp://cam/main", "rtsp://u:p@cam/main")).cameras[0].streams[0].url,
            "rtsp://u:p@cam/main");
  const std::string http = Errors(Minimal("rtsp://cam/main", "http://u:topsecret@cam/main"));
  EXPECT_EQ(http, "test.yaml:7:14: cameras.cam.streams.main.url: url must start with rtsp://");
  EXPECT_EQ(Errors(Minimal("rtsp://cam/main", "rtsp:///main")),
            "test.yaml:7:14: cameras.cam.streams.main.url: url has no host");
  EXPECT_EQ(Errors(Minimal("rtsp://cam/main", "rtsp://u:p@:554/main")),
            "test.yaml:7:14: cameras.cam.streams.main.url: url has no host");
  EXPECT_EQ(Errors(Minimal("url: rtsp://cam/main", "url: rtsp://u:topsecret@cam/main\n        user: admin")),
            "test.yaml:7:14: cameras.cam.streams.main.url: credentials are given both in the url and in "
            "user/password: use one place");
  EXPECT_EQ(Errors(Minimal("url: rtsp://cam/main", "url: rtsp://cam/main\n        password: x")),
            "test.yaml:8:9: cameras.cam.streams.main.password: password without user");
}

TEST(ConfigTest, Names) {
  EXPECT_EQ(Errors(Minimal("  cam:", "  \"front door\":")),
            "test.yaml:4:3: cameras.front door: camera name \"front door\" is not allowed: use 1 to 64 letters, "
            "digits, _ or - (it becomes a directory name)");
  EXPECT_EQ(Errors(Minimal("      main:", "      ../x:")),
            "test.yaml:6:7: cameras.cam.streams.../x: stream name \"../x\" is not allowed: use 1 to 64 letters, "
            "digits, _ or - (it becomes a directory name)");
  EXPECT_NE(Errors(Minimal("  cam:", "  " + std::string(65, 'c') + ":")).find("is not allowed"), std::string::npos);
  EXPECT_EQ(ParseOk(Minimal("  cam:", "  " + std::string(64, 'c') + ":")).cameras[0].name, std::string(64, 'c'));
  EXPECT_EQ(ParseOk(Minimal("  cam:", "  Cam_2-b:")).cameras[0].name, "Cam_2-b");
  EXPECT_EQ(Errors(Minimal("  cam:", "  \"\":")),
            "test.yaml:4:3: cameras.: camera name \"\" is not allowed: use 1 to 64 letters, digits, _ or - (it "
            "becomes a directory name)");
  EXPECT_EQ(Errors(Minimal("  cam:", "  [cam]:")), "test.yaml:4:3: cameras: expected a name as key, got a list");
}

TEST(ConfigTest, DuplicateKeys) {
  const std::string yaml = std::string(kMinimal) +
                           "  cam:\n"
                           "    streams: {main: {url: rtsp://other/main, url: rtsp://x/y, roles: [live]}}\n";
  EXPECT_EQ(Errors(yaml),
            "test.yaml:9:3: cameras: duplicate key \"cam\" (first at line 4)");
  EXPECT_EQ(Errors(Minimal("roles: [record]", "roles: [record]\n        url: rtsp://x/y")),
            "test.yaml:9:9: cameras.cam.streams.main: duplicate key \"url\" (first at line 7)");
}

TEST(ConfigTest, NoCamerasNoStreamsNoDirs) {
  EXPECT_EQ(Errors("storage: {dirs: [/data]}\ncameras: {}\n"),
            "test.yaml:2:10: cameras: no cameras: give at least one");
  EXPECT_EQ(Errors("storage: {dirs: [/data]}\ncameras:\n"), "test.yaml:2:1: cameras: no cameras: give at least one");
  EXPECT_EQ(Errors(Minimal("    streams:\n      main:\n        url: rtsp://cam/main\n        roles: [record]\n",
                           "    streams: {}\n")),
            "test.yaml:5:14: cameras.cam.streams: no streams: give at least one");
  EXPECT_EQ(Errors(Minimal("dirs: [/data]", "dirs: []")), "test.yaml:2:9: storage.dirs: no storage dirs: give at least one");
}

TEST(ConfigTest, StoragePaths) {
  EXPECT_EQ(Errors(Minimal("dirs: [/data]", "dirs: [/data, /x, /data/./, //data]")),
            "test.yaml:2:21: storage.dirs[2]: same directory as storage.dirs[0] (line 2)\n"
            "test.yaml:2:31: storage.dirs[3]: same directory as storage.dirs[0] (line 2)");
  EXPECT_EQ(Errors(Minimal("dirs: [/data]", "dirs: [data, \"${DATA}\", \"\"]\n  index: rel/index.db")),
            "test.yaml:2:10: storage.dirs[0]: \"data\" is not an absolute path\n"
            "test.yaml:2:27: storage.dirs[2]: \"\" is not an absolute path\n"
            "test.yaml:3:10: storage.index: \"rel/index.db\" is not an absolute path");
}

TEST(ConfigTest, YamlSyntaxErrorHasPosition) {
  const std::string errors = Errors("storage:\n  dirs: [/data\ncameras: {}\n");
  EXPECT_TRUE(errors.starts_with("test.yaml:3:")) << errors;
  EXPECT_NE(errors.find("YAML syntax error: "), std::string::npos) << errors;
  EXPECT_EQ(errors.find('\n'), std::string::npos) << errors;
  EXPECT_EQ(Errors("a: b: c\n"), "test.yaml:1:5: YAML syntax error: illegal map value");
}

// yaml-cpp 0.7 would loop forever in LoadAll, or return an empty document from Load, on a token
// that cannot start a node.
TEST(ConfigTest, StrayTokenIsASyntaxError) {
  EXPECT_EQ(Errors(",storage: {}\n"), "test.yaml:1:1: YAML syntax error: unexpected \",\"");
  EXPECT_EQ(Errors(std::string(kMinimal) + ", x\n"), "test.yaml:9:1: YAML syntax error: end of map not found");
  EXPECT_EQ(Errors(std::string(kMinimal) + "---\n,\n"), "test.yaml:10:1: YAML syntax error: unexpected \",\"");
  EXPECT_EQ(Errors(std::string(kMinimal) + "]\n"), "test.yaml:9:1: YAML syntax error: illegal flow end");
}

TEST(ConfigTest, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(Errors(deep).find("YAML nesting is too deep"), std::string::npos);
  std::string block;
  for (int i = 0; i < 5000; ++i) block += std::string(i, ' ') + "a:\n";
  EXPECT_NE(Errors(block).find("YAML nesting is too deep"), std::string::npos);
}

TEST(ConfigTest, EveryErrorIsReportedInFileOrder) {
  const std::string errors = Errors(R"yaml(storage:
  dirs: [/data, relative]
  flush_interval: 5s
cameras:
  front_door:
    enabled: maybe
    streams:
      main:
        url: http://cam/main
        trasport: tcp
        roles: [record, recrod]
      sub:
        password: ${NOPE}
        roles: [detect]
  bad name:
    streams: {}
mqtt: {}
)yaml");
  EXPECT_EQ(errors,
            "test.yaml:2:17: storage.dirs[1]: \"relative\" is not an absolute path\n"
            "test.yaml:3:19: storage.flush_interval: \"5s\" is out of range: must be between 100ms and 2s (a power "
            "cut loses at most one flush interval plus one GOP)\n"
            "test.yaml:6:14: cameras.front_door.enabled: expected true or false, got \"maybe\"\n"
            "test.yaml:9:14: cameras.front_door.streams.main.url: url must start with rtsp://\n"
            "test.yaml:10:9: cameras.front_door.streams.main: unknown key \"trasport\"; did you mean \"transport\"? "
            "Allowed keys: url, user, password, transport, roles, record\n"
            "test.yaml:11:25: cameras.front_door.streams.main.roles[1]: unknown role \"recrod\" (roles: record, "
            "detect, live)\n"
            "test.yaml:12:7: cameras.front_door.streams.sub: missing required key \"url\"\n"
            "test.yaml:13:9: cameras.front_door.streams.sub.password: password without user\n"
            "test.yaml:13:19: cameras.front_door.streams.sub.password: environment variable NOPE is not set\n"
            "test.yaml:15:3: cameras.bad name: camera name \"bad name\" is not allowed: use 1 to 64 letters, "
            "digits, _ or - (it becomes a directory name)\n"
            "test.yaml:16:14: cameras.bad name.streams: no streams: give at least one\n"
            "test.yaml:17:1: mqtt: missing required key \"host\"");
}

TEST(ConfigTest, ControlCharactersAreEscapedToKeepOneErrorPerLine) {
  EXPECT_EQ(Errors(std::string(kMinimal) + "\"a\\nb\\x01\\tc\": 1\n"),
            "test.yaml:9:1: unknown key \"a\\nb\\x01\\tc\". Allowed keys: storage, record, motion, http, auth, "
            "metrics, mqtt, webhooks, cameras, site");
}

TEST(ConfigTest, ErrorListIsCapped) {
  std::string yaml = "storage: {dirs: [/data]}\ncameras:\n";
  for (int i = 0; i < 150; ++i) yaml += "  c" + std::to_string(i) + ": {streams: {}}\n";
  const std::string errors = Errors(yaml);
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 100);
  EXPECT_TRUE(errors.ends_with("\ntest.yaml: 50 more errors not listed")) << errors.substr(errors.size() - 200);

  // Beyond the kept ones errors are only counted.
  yaml = "storage: {dirs: [/data]}\ncameras:\n";
  for (int i = 0; i < 1500; ++i) yaml += "  c" + std::to_string(i) + ": {streams: {}}\n";
  const std::string many = Errors(yaml);
  EXPECT_TRUE(many.starts_with("test.yaml:3:17: cameras.c0.streams: no streams")) << many.substr(0, 200);
  EXPECT_TRUE(many.ends_with("\ntest.yaml: 1400 more errors not listed")) << many.substr(many.size() - 200);
}

TEST(ConfigTest, LongMessagesAreCut) {
  const std::string errors = Errors(Minimal("roles: [record]", "roles: [" + std::string(5000, 'k') + "]"));
  EXPECT_TRUE(errors.starts_with("test.yaml:8:17: cameras.cam.streams.main.roles[0]: unknown role \"kkk")) << errors;
  EXPECT_TRUE(errors.ends_with("kkk...")) << errors;
  EXPECT_LT(errors.size(), 1100u);
}

TEST(ConfigTest, AliasBlowUpIsBounded) {
  // Each level names the one below ten times: 10^6 stream entries from a few lines.
  const std::string errors = Errors(R"yaml(storage: {dirs: [/data]}
x1: &r1 [a, a, a, a, a, a, a, a, a, a]
cameras:
  c:
    streams:
      s: {url: rtsp://c/1, roles: &r2 [*r1, *r1, *r1, *r1, *r1, *r1, *r1, *r1, *r1, *r1]}
)yaml");
  EXPECT_NE(errors.find("unknown key \"x1\""), std::string::npos);
  EXPECT_NE(errors.find("expected a role, got a list"), std::string::npos);
  std::string yaml = "storage: {dirs: [/data]}\ncameras:\n";
  std::string streams = "{url: rtsp://c/1, roles: [record]}";
  // 400 cameras x 400 streams, each stream map defined once.
  yaml += "  c0: {streams: &s {";
  for (int i = 0; i < 400; ++i) yaml += (i ? ", s" : "s") + std::to_string(i) + ": " + streams;
  yaml += "}}\n";
  for (int i = 1; i < 400; ++i) yaml += "  c" + std::to_string(i) + ": {streams: *s}\n";
  const std::string bounded = Errors(yaml);
  EXPECT_NE(bounded.find("too much to check: more than 100000 map entries and list items"), std::string::npos)
      << bounded.substr(0, 500);
}

TEST(ConfigTest, AliasedLongValuesAreBounded) {
  // One 200 kB url used by 100 streams: 20 MB of text to check from a 200 kB file.
  std::string yaml = "storage: {dirs: [/data]}\ncameras:\n";
  yaml += "  c0: {streams: {s: {url: &u \"rtsp://c/" + std::string(200000, 'x') + "\", roles: [live]}}}\n";
  for (int i = 1; i < 100; ++i) yaml += "  c" + std::to_string(i) + ": {streams: {s: {url: *u, roles: [live]}}}\n";
  EXPECT_EQ(Errors(yaml),
            "test.yaml:1:1: too much to check: more than 100000 map entries and list items or 16 MiB of keys and "
            "values (each use of an alias counts again)");
}

TEST(ConfigTest, NeverPrintsSecretsOrUrls) {
  const std::string yaml = Minimal("url: rtsp://cam/main",
                                   "url: \"rtspx://admin:hunter2@cam/${FRONT_DOOR_PASSWORD}\"\n        user: ${NOPE}\n"
                                   "        password: ${FRONT_DOOR_PASSWORD}");
  const std::string errors = Errors(yaml);
  EXPECT_EQ(errors.find("hunter2"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("s3cret"), std::string::npos) << errors;
  EXPECT_NE(errors.find("NOPE"), std::string::npos) << errors;
}

TEST(ConfigTest, LoadConfigReadsTheFile) {
  char path[] = "/tmp/sightline_config_test_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string yaml = kMinimal;
  ASSERT_EQ(write(fd, yaml.data(), yaml.size()), static_cast<ssize_t>(yaml.size()));
  close(fd);
  Result<Config> c = LoadConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cameras.size(), 1u);

  std::ofstream(path) << "cameras: {}\n";
  Result<Config> bad = LoadConfig(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().message().starts_with(std::string(path) + ":1:1: missing required key \"storage\""))
      << bad.status();
  std::remove(path);

  Result<Config> missing = LoadConfig(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace sightline::config
