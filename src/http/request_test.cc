#include "http/request.h"

#include <gtest/gtest.h>

namespace sightline::http {
namespace {

TEST(HttpRequestTest, HeadersAreCaseInsensitive) {
  Headers h;
  h.Add("Content-Type", "a");
  h.Add("X-Thing", "1");
  h.Add("x-thing", "2");
  EXPECT_EQ(h.Get("content-type"), "a");
  EXPECT_EQ(h.Get("X-THING"), "1");
  EXPECT_EQ(h.Get("missing"), "");
  EXPECT_FALSE(h.Find("missing").has_value());
  h.Set("X-Thing", "3");
  EXPECT_EQ(h.fields().size(), 2u);
  EXPECT_EQ(h.Get("x-thing"), "3");
  h.Remove("CONTENT-TYPE");
  EXPECT_FALSE(h.Has("Content-Type"));
}

TEST(HttpRequestTest, Accessors) {
  Request r;
  r.query = {{"a", "1"}, {"a", "2"}, {"b", ""}};
  r.cookies = {{"session", "xyz"}};
  r.params = {{"camera", "front"}};
  r.headers.Add("Host", "h");
  EXPECT_EQ(r.Query("a"), "1");
  EXPECT_EQ(r.QueryAll("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(r.Query("b", "fallback"), "");
  EXPECT_EQ(r.Query("c", "fallback"), "fallback");
  EXPECT_TRUE(r.HasQuery("b"));
  EXPECT_EQ(r.Cookie("session"), "xyz");
  EXPECT_EQ(r.Cookie("other"), "");
  EXPECT_EQ(r.Param("camera"), "front");
  EXPECT_TRUE(r.HasParam("camera"));
  EXPECT_FALSE(r.HasParam("*"));
  EXPECT_EQ(r.Header("host"), "h");
}

TEST(HttpRequestTest, ResponseHelpers) {
  Response e = Response::Error(404, "no \"such\" camera\n");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.content_type, "application/json");
  EXPECT_EQ(e.body, R"({"error":"no \"such\" camera\n"})");
  EXPECT_EQ(Response::Text(200, "hi").content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(Response::Html(200, "<p>").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(JsonQuote(std::string_view("\x01\\", 2)), "\"\\u0001\\\\\"");
  Response f = Response::File(FileBody{"/x", 1, 2, "video/mp4"});
  ASSERT_TRUE(f.file.has_value());
  EXPECT_EQ(f.file->length, 2u);
}

}  // namespace
}  // namespace sightline::http
