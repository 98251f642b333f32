#pragma once
// Who is asking: a user with a role and per-camera permissions, as the HTTP layer checks them
// on every request, and the Actor an audited change is made by. Plain values; the rules for
// valid user, camera and token names live here too.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sightline::auth {

// viewer: live and recordings of the cameras granted to them. operator: the same, and
// exports and evidence locks of those cameras. admin: everything, every camera, users, audit.
enum class Role { kViewer, kOperator, kAdmin };

std::string_view RoleName(Role role);  // "viewer", "operator", "admin"
Result<Role> ParseRole(std::string_view name);

struct User {
  int64_t id = 0;
  std::string name{};
  Role role = Role::kViewer;
  std::vector<std::string> cameras{};  // granted cameras, sorted; admins see all regardless
  bool disabled = false;
  int64_t created_us = 0;
  std::string token_name{};  // set when this request authenticated with an API token

  // A disabled user can do nothing, whatever the role.
  bool IsAdmin() const { return !disabled && role == Role::kAdmin; }
  bool CanOperate() const { return !disabled && role != Role::kViewer; }
  bool CanView(std::string_view camera) const;
};

// Who makes a change, for the audit log: a user name (or "cli:<unix user>" for the command
// line) and the remote address.
struct Actor {
  std::string user{};
  std::string remote{};
};

// 1 to 64 characters of [A-Za-z0-9._@-], starting with a letter or digit. Names are compared
// without regard to case.
Status CheckUserName(std::string_view name);
// 1 to 128 bytes without control characters (config camera names are stricter).
Status CheckCameraName(std::string_view camera);
// The label of an API token: 1 to 64 bytes without control characters.
Status CheckTokenName(std::string_view name);

}  // namespace sightline::auth
