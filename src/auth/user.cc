#include "auth/user.h"

#include <algorithm>

namespace sightline::auth {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (name == RoleName(r)) return r;
  }
  return InvalidArgumentError("unknown role '" + std::string(name) +
                              "': expected admin, operator or viewer");
}

bool User::CanView(std::string_view camera) const {
  if (disabled) return false;
  if (role == Role::kAdmin) return true;
  return std::binary_search(cameras.begin(), cameras.end(), camera);
}

Status CheckUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return InvalidArgumentError("a user name has 1 to 64 characters");
  }
  if (!IsAlnum(name[0])) {
    return InvalidArgumentError("user name '" + std::string(name) +
                                "' must start with a letter or a digit");
  }
  for (char c : name) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '-' && c != '@') {
      return InvalidArgumentError("a user name may hold only letters, digits and . _ - @");
    }
  }
  return Status();
}

namespace {

// 1 to `max_bytes` bytes without control characters; `what` names the thing in the message.
Status CheckLabel(std::string_view what, std::string_view label, size_t max_bytes) {
  if (label.empty() || label.size() > max_bytes) {
    return InvalidArgumentError(std::string(what) + " has 1 to " + std::to_string(max_bytes) +
                                " bytes");
  }
  for (char c : label) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgumentError(std::string(what) + " may not hold control characters");
    }
  }
  return Status();
}

}  // namespace

Status CheckCameraName(std::string_view camera) { return CheckLabel("a camera name", camera, 128); }

Status CheckTokenName(std::string_view name) { return CheckLabel("a token name", name, 64); }

}  // namespace sightline::auth
