#include "auth/user.h"

#include <gtest/gtest.h>

namespace sightline::auth {
namespace {

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    Result<Role> parsed = ParseRole(RoleName(r));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, r);
  }
  Result<Role> bad = ParseRole("root");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'root'"), std::string::npos);
}

TEST(UserTest, ViewersAndOperatorsSeeOnlyGrantedCameras) {
  User viewer{.name = "v", .role = Role::kViewer, .cameras = {"back", "front"}};
  EXPECT_TRUE(viewer.CanView("front"));
  EXPECT_TRUE(viewer.CanView("back"));
  EXPECT_FALSE(viewer.CanView("yard"));
  EXPECT_FALSE(viewer.CanOperate());
  EXPECT_FALSE(viewer.IsAdmin());

  User op{.name = "o", .role = Role::kOperator};
  EXPECT_FALSE(op.CanView("front")) << "a non-admin without grants sees no camera";
  EXPECT_TRUE(op.CanOperate());
  EXPECT_FALSE(op.IsAdmin());

  User admin{.name = "a", .role = Role::kAdmin};
  EXPECT_TRUE(admin.CanView("any camera at all"));
  EXPECT_TRUE(admin.CanOperate());
  EXPECT_TRUE(admin.IsAdmin());
}

TEST(UserTest, DisabledUsersCanDoNothing) {
  User admin{.name = "a", .role = Role::kAdmin, .cameras = {"front"}, .disabled = true};
  EXPECT_FALSE(admin.IsAdmin());
  EXPECT_FALSE(admin.CanOperate());
  EXPECT_FALSE(admin.CanView("front"));
}

TEST(UserTest, UserNames) {
  for (const char* good : {"alice", "Bob.Smith", "ops-team_2", "a@example.org", "7"}) {
    EXPECT_TRUE(CheckUserName(good).ok()) << good;
  }
  for (const char* bad : {"", ".hidden", "-x", "with space", "tab\t", "a/b", "ünï"}) {
    EXPECT_FALSE(CheckUserName(bad).ok()) << bad;
  }
  EXPECT_TRUE(CheckUserName(std::string(64, 'a')).ok());
  EXPECT_FALSE(CheckUserName(std::string(65, 'a')).ok());
}

TEST(UserTest, CameraNames) {
  EXPECT_TRUE(CheckCameraName("front door").ok());
  EXPECT_FALSE(CheckCameraName("").ok());
  EXPECT_FALSE(CheckCameraName("a\nb").ok());
  EXPECT_FALSE(CheckCameraName(std::string(129, 'c')).ok());
}

TEST(UserTest, TokenNames) {
  EXPECT_TRUE(CheckTokenName("nightly export").ok());
  EXPECT_FALSE(CheckTokenName("").ok());
  EXPECT_FALSE(CheckTokenName("a\tb").ok());
  Status long_name = CheckTokenName(std::string(65, 't'));
  EXPECT_EQ(long_name.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(long_name.message(), "a token name has 1 to 64 bytes");
}

}  // namespace
}  // namespace sightline::auth
