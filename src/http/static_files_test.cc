#include "http/static_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "http/http_date.h"
#include "http/server_test_util.h"

namespace sightline::http {
namespace {

using testing::TempDir;

Request Get(std::string path, std::vector<std::pair<std::string, std::string>> fields = {}) {
  Request r;
  r.method = "GET";
  r.path = std::move(path);
  for (auto& [k, v] : fields) r.headers.Add(k, v);
  return r;
}

class HttpStaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() + "/www";
    dir_.Write("www/index.html", "<!doctype html>app");
    dir_.Write("www/assets/app-3f2a1b.js", "console.log(1)");
    dir_.Write("www/style.css", "body{}");
    dir_.Write("www/logo.svg", "<svg/>");
    dir_.Write("www/.env", "SECRET=1");
    dir_.Write("secret.txt", "outside");
  }
  TempDir dir_;
  std::string root_;
};

TEST_F(HttpStaticFilesTest, ServesFilesWithTypesAndCaching) {
  Response r = ServeStatic(root_, Get("/style.css"));
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.file.has_value());
  EXPECT_EQ(r.file->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(r.file->length, 6u);
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-cache");
  EXPECT_FALSE(r.headers.Get("ETag").empty());
  EXPECT_FALSE(r.headers.Get("Last-Modified").empty());

  r = ServeStatic(root_, Get("/assets/app-3f2a1b.js"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.file->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.headers.Get("Cache-Control"), "public, max-age=31536000, immutable");

  EXPECT_EQ(ServeStatic(root_, Get("/logo.svg")).file->content_type, "image/svg+xml");
  EXPECT_EQ(ServeStatic(root_, Get("/")).file->content_type, "text/html; charset=utf-8");
}

TEST_F(HttpStaticFilesTest, SinglePageAppFallbackOnlyWithoutExtension) {
  Response r = ServeStatic(root_, Get("/cameras/front"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(std::filesystem::path(r.file->path).filename(), "index.html");
  EXPECT_EQ(ServeStatic(root_, Get("/assets")).file->content_type, "text/html; charset=utf-8");  // a directory
  EXPECT_EQ(ServeStatic(root_, Get("/missing.js")).status, 404);
  EXPECT_EQ(ServeStatic(root_, Get("/assets/missing.css")).status, 404);
}

TEST_F(HttpStaticFilesTest, NeverLeavesTheRoot) {
  EXPECT_EQ(ServeStatic(root_, Get("/.env")).status, 404);
  EXPECT_EQ(ServeStatic(root_, Get("/../secret.txt")).status, 404);
  EXPECT_EQ(ServeStatic(root_, Get("/a\\..\\secret.txt")).status, 404);
  // Symlinks pointing out of the root, to a file and to a directory.
  ASSERT_EQ(::symlink((dir_.path() + "/secret.txt").c_str(), (root_ + "/leak.txt").c_str()), 0);
  ASSERT_EQ(::symlink(dir_.path().c_str(), (root_ + "/up").c_str()), 0);
  EXPECT_EQ(ServeStatic(root_, Get("/leak.txt")).status, 404);
  EXPECT_EQ(ServeStatic(root_, Get("/up/secret.txt")).status, 404);
  // A symlink within the root is fine.
  ASSERT_EQ(::symlink((root_ + "/style.css").c_str(), (root_ + "/alias.css").c_str()), 0);
  Response r = ServeStatic(root_, Get("/alias.css"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file->path, std::filesystem::canonical(root_ + "/style.css").string());
  // A root reached through a symlink works as well.
  ASSERT_EQ(::symlink(root_.c_str(), (dir_.path() + "/www-link").c_str()), 0);
  EXPECT_EQ(ServeStatic(dir_.path() + "/www-link", Get("/style.css")).status, 200);
  EXPECT_EQ(ServeStatic(dir_.path() + "/nonexistent", Get("/style.css")).status, 500);
}

TEST_F(HttpStaticFilesTest, PrefixRoutesServeTheRest) {
  Request r = Get("/ui/style.css");
  r.params["*"] = "style.css";
  EXPECT_EQ(ServeStatic(root_, r).status, 200);
}

TEST_F(HttpStaticFilesTest, ConditionalRequests) {
  Response first = ServeStatic(root_, Get("/style.css"));
  const std::string etag(first.headers.Get("ETag"));
  const std::string last_modified(first.headers.Get("Last-Modified"));
  Response r = ServeStatic(root_, Get("/style.css", {{"If-None-Match", etag}}));
  EXPECT_EQ(r.status, 304);
  EXPECT_FALSE(r.file.has_value());
  EXPECT_EQ(r.headers.Get("ETag"), etag);
  EXPECT_EQ(ServeStatic(root_, Get("/style.css", {{"If-None-Match", "\"other\", W/" + etag}})).status, 304);
  EXPECT_EQ(ServeStatic(root_, Get("/style.css", {{"If-None-Match", "\"other\""}})).status, 200);
  EXPECT_EQ(ServeStatic(root_, Get("/style.css", {{"If-Modified-Since", last_modified}})).status, 304);
  EXPECT_EQ(ServeStatic(root_, Get("/style.css", {{"If-Modified-Since", FormatHttpDate(0)}})).status, 200);
  // If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2).
  EXPECT_EQ(ServeStatic(root_, Get("/style.css", {{"If-None-Match", "\"other\""}, {"If-Modified-Since", last_modified}}))
                .status,
            200);
}

TEST(HttpContentTypeTest, KnownAndUnknown) {
  EXPECT_EQ(ContentTypeForPath("a/b.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("x.wasm"), "application/wasm");
  EXPECT_EQ(ContentTypeForPath("x.js.map"), "application/json");
  EXPECT_EQ(ContentTypeForPath("seg.m4s"), "video/iso.segment");
  EXPECT_EQ(ContentTypeForPath("p.m3u8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(ContentTypeForPath("favicon.ico"), "image/x-icon");
  EXPECT_EQ(ContentTypeForPath("noext"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForPath("dir.d/noext"), "application/octet-stream");
}

}  // namespace
}  // namespace sightline::http
