#include "base/status.h"

#include <gtest/gtest.h>

#include "base/result.h"

namespace sightline {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ContextIsPrependedOutermostFirst) {
  Status s = InvalidArgumentError("bad m= line");
  s.AddContext("SDP line 4");
  Status t = std::move(s).WithContext("camera=front DESCRIBE");
  EXPECT_EQ(t.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.message(), "camera=front DESCRIBE: SDP line 4: bad m= line");
  EXPECT_EQ(t.ToString(), "INVALID_ARGUMENT: camera=front DESCRIBE: SDP line 4: bad m= line");
}

TEST(StatusTest, ContextOnOkStaysOk) {
  Status s;
  s.AddContext("ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, ErrnoErrorNamesOperation) {
  Status s = ErrnoError("open /x", ENOENT);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("open /x: "), std::string::npos);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(*out, Half(h));
  return Status();
}

Status Check(bool fail) {
  RETURN_IF_ERROR(fail ? UnavailableError("down") : Status());
  return NotFoundError("reached end");
}

TEST(ResultTest, ValueAndError) {
  Result<int> a = Half(8);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 4);
  Result<int> b = Half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.value_or(-1), -1);
}

TEST(ResultTest, MacrosPropagate) {
  int q = 0;
  EXPECT_TRUE(Quarter(8, &q).ok());
  EXPECT_EQ(q, 2);
  EXPECT_EQ(Quarter(6, &q).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Check(true).code(), StatusCode::kUnavailable);
  EXPECT_EQ(Check(false).code(), StatusCode::kNotFound);
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace sightline
