// sightline user: accounts from the command line (auth::AccountStore), in the index database
// named by the config. The way to create the first admin; works while `sightline run` serves
// (SQLite's WAL lets a second writer in). Changes are audited as made by "cli:<unix user>".
#include <fcntl.h>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/command.h"
#include "app/subcommands.h"
#include "auth/account_store.h"
#include "base/flags.h"
#include "config/config.h"
#include "store/env.h"
#include "store/index.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage:
  sightline user add NAME --role ROLE [--password-stdin] --config FILE
  sightline user list --config FILE
  sightline user del NAME --config FILE
  sightline user passwd NAME [--password-stdin] --config FILE
  sightline user role NAME ROLE --config FILE
  sightline user disable NAME --config FILE
  sightline user enable NAME --config FILE
  sightline user grant NAME --camera CAM [--camera CAM ...] --config FILE
  sightline user revoke NAME --camera CAM [--camera CAM ...] --config FILE
  sightline user token NAME --name LABEL [--expires DAYS] [--revoke] --config FILE

Accounts of the web UI and API, kept in the index database of the config's storage (created
if nothing has been recorded yet). Works while `sightline run` is running.

ROLE is one of
  admin      everything: every camera, users and permissions, the audit log
  operator   the cameras granted to them, with export and evidence lock
  viewer     live and recordings of the cameras granted to them
There is always an enabled admin: the first user must be one, and the last one cannot be
deleted, demoted or disabled.

Passwords have at least 8 characters. Without --password-stdin they are asked for twice on
the terminal; with it, the first line of standard input is the password.
Changing a password, disabling or deleting a user ends their sessions; changing a password
also revokes their API tokens.
`token` prints a new API token for scripts once (send it as "Authorization: Bearer TOKEN");
only its hash is kept. It works for 90 days unless --expires says otherwise. --revoke
withdraws it.

flags:
  --config FILE       sightline.yaml (required)
  --role ROLE         for add
  --password-stdin    read the password from standard input
  --camera CAM        for grant and revoke (repeatable)
  --name LABEL        for token: what the token is for
  --expires DAYS      for token: days until it stops working (default 90; 0: never)
  --revoke            for token: withdraw the token named LABEL

exit status: 0 done; 1 the change was refused (no such user, already exists, ...) or the
database could not be written; 2 bad flags or config
)";

// Reads a password from the terminal without echo. Non-canonical mode with signals off, so
// that Ctrl-C arrives as a byte and the terminal is always restored before returning.
Result<std::string> ReadPasswordFromTerminal(int fd, const std::string& prompt) {
  termios saved{};
  if (::tcgetattr(fd, &saved) != 0) return ErrnoError("tcgetattr /dev/tty", errno);
  termios raw = saved;
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | ISIG);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSAFLUSH, &raw) != 0) return ErrnoError("tcsetattr /dev/tty", errno);
  [[maybe_unused]] ssize_t w = ::write(fd, prompt.data(), prompt.size());
  std::string password;
  std::optional<Status> error;
  for (;;) {
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == 0x04) {  // end of input, Ctrl-D
      error = InvalidArgumentError("no password given");
      break;
    }
    if (c == 0x03) {  // Ctrl-C
      error = CancelledError("cancelled");
      break;
    }
    if (c == '\n' || c == '\r') break;
    if (c == 0x7f || c == 0x08) {  // backspace: drop a whole UTF-8 character
      while (!password.empty() && (static_cast<unsigned char>(password.back()) & 0xc0) == 0x80) {
        password.pop_back();
      }
      if (!password.empty()) password.pop_back();
      continue;
    }
    if (password.size() < auth::kMaxPasswordBytes + 1) password += c;
  }
  ::tcsetattr(fd, TCSAFLUSH, &saved);
  w = ::write(fd, "\n", 1);
  if (error) return *error;
  return password;
}

Result<std::string> ReadPassword(bool from_stdin, const std::string& name) {
  if (from_stdin) {
    std::string line;
    if (!std::getline(std::cin, line)) return InvalidArgumentError("no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return FailedPreconditionError("no terminal to ask for the password on: use --password-stdin");
  }
  Result<std::string> first = ReadPasswordFromTerminal(fd, "password for " + name + ": ");
  Result<std::string> second = first.ok() ? ReadPasswordFromTerminal(fd, "again: ") : first;
  ::close(fd);
  if (!second.ok()) return second.status();
  if (*first != *second) return InvalidArgumentError("the two passwords differ");
  return first;
}

// Who the audit log says made the change.
auth::Actor CliActor() {
  const passwd* pw = ::getpwuid(::geteuid());
  return {"cli:" + (pw != nullptr ? std::string(pw->pw_name) : std::to_string(::geteuid())),
          "local"};
}

std::string CameraList(const auth::User& u) {
  if (u.role == auth::Role::kAdmin) return "(all)";
  if (u.cameras.empty()) return "(none)";
  std::string out;
  for (const std::string& c : u.cameras) out += (out.empty() ? "" : ", ") + c;
  return out;
}

void PrintUsers(const std::vector<auth::User>& users) {
  size_t width = 4;
  for (const auth::User& u : users) width = std::max(width, u.name.size());
  std::printf("%-*s  %-8s  %-8s  %s\n", static_cast<int>(width), "NAME", "ROLE", "STATE",
              "CAMERAS");
  for (const auth::User& u : users) {
    std::printf("%-*s  %-8s  %-8s  %s\n", static_cast<int>(width), u.name.c_str(),
                std::string(auth::RoleName(u.role)).c_str(), u.disabled ? "disabled" : "enabled",
                CameraList(u).c_str());
  }
}

bool HasCamera(const config::Config& cfg, const std::string& camera) {
  return std::any_of(cfg.cameras.begin(), cfg.cameras.end(),
                     [&](const config::CameraConfig& c) { return c.name == camera; });
}

}  // namespace

int UserMain(int argc, char** argv) {
  Command cmd("user", kHelp);
  if (std::optional<int> done = cmd.Parse({{"config"},
                                           {"role"},
                                           {"password-stdin", false},
                                           {"camera", true, true},
                                           {"name"},
                                           {"expires"},
                                           {"revoke", false}},
                                          argc, argv, {"config"}, /*allow_positional=*/true)) {
    return *done;
  }
  const Flags& flags = cmd.flags();
  auto fail = [&](const Status& s, int code) { return cmd.Fail(s, code); };
  const std::vector<std::string>& args = flags.positional();
  if (args.empty()) return fail(InvalidArgumentError("which action? (see --help)"), 2);
  const std::string& action = args[0];
  // Each action with the number of positional arguments it takes after its name.
  const std::vector<std::pair<std::string, size_t>> kActions = {
      {"add", 1},     {"list", 0},   {"del", 1},   {"passwd", 1}, {"role", 2},
      {"disable", 1}, {"enable", 1}, {"grant", 1}, {"revoke", 1}, {"token", 1}};
  auto found = std::find_if(kActions.begin(), kActions.end(),
                            [&](const auto& a) { return a.first == action; });
  if (found == kActions.end()) {
    return fail(InvalidArgumentError("unknown action '" + action + "' (see --help)"), 2);
  }
  if (args.size() != found->second + 1) {
    return fail(
        InvalidArgumentError("'" + action + "' takes " + std::to_string(found->second) +
                             " argument" + (found->second == 1 ? "" : "s") + " (see --help)"),
        2);
  }
  const std::string name = args.size() > 1 ? args[1] : "";
  std::optional<auth::Role> role;
  if (action == "add" || action == "role") {
    const std::string role_name = action == "add" ? flags.Get("role") : args[2];
    if (role_name.empty()) return fail(InvalidArgumentError("add needs --role"), 2);
    Result<auth::Role> parsed = auth::ParseRole(role_name);
    if (!parsed.ok()) return fail(parsed.status(), 2);
    role = *parsed;
  }
  const std::vector<std::string>& cameras = flags.GetAll("camera");
  if ((action == "grant" || action == "revoke") && cameras.empty()) {
    return fail(InvalidArgumentError(action + " needs --camera"), 2);
  }
  if (action == "token" && !flags.Has("name")) {
    return fail(InvalidArgumentError("token needs --name LABEL"), 2);
  }
  // Only an explicit --expires 0 makes a token that never expires.
  std::chrono::seconds token_lifetime = auth::kDefaultApiTokenLifetime;
  if (flags.Has("expires")) {
    Result<int64_t> days = flags.GetInt("expires", 0);
    if (!days.ok()) return fail(days.status(), 2);
    if (*days < 0 || *days > auth::kMaxApiTokenLifetime.count() / 86400) {
      return fail(InvalidArgumentError("--expires takes 0 (never) to " +
                                       std::to_string(auth::kMaxApiTokenLifetime.count() / 86400) +
                                       " days"),
                  2);
    }
    token_lifetime = std::chrono::seconds(*days * 86400);
  }

  Result<config::Config> cfg = config::LoadConfig(flags.Get("config"));
  if (!cfg.ok()) return fail(cfg.status(), 2);
  const std::string& index_path = cfg->storage.index_path;
  // Accounts may come before the first recording: the index is created as `run` would.
  if (Status s = store::DefaultEnv()->CreateDirs(std::filesystem::path(index_path).parent_path());
      !s.ok()) {
    return fail(s, 1);
  }
  if (Result<std::unique_ptr<store::Index>> index = store::Index::Open(index_path); !index.ok()) {
    return fail(index.status(), 1);
  }
  Result<std::unique_ptr<auth::AccountStore>> opened = auth::AccountStore::Open(index_path);
  if (!opened.ok()) return fail(opened.status(), 1);
  auth::AccountStore& accounts = **opened;
  const auth::Actor actor = CliActor();

  if (action == "list") {
    Result<std::vector<auth::User>> users = accounts.Users();
    if (!users.ok()) return fail(users.status(), 1);
    if (users->empty()) {
      std::printf("no users yet: add an admin with `sightline user add NAME --role admin`\n");
    } else {
      PrintUsers(*users);
    }
    return 0;
  }
  Status status;
  if (action == "add" || action == "passwd") {
    Result<std::string> password = ReadPassword(flags.Has("password-stdin"), name);
    if (!password.ok()) return fail(password.status(), 2);
    if (action == "add") {
      status = accounts.AddUser(actor, name, *password, *role);
      if (status.ok()) {
        std::printf("added %s %s\n", std::string(auth::RoleName(*role)).c_str(), name.c_str());
      }
    } else {
      status = accounts.SetPassword(actor, name, *password);
      if (status.ok()) {
        std::printf("changed the password of %s; their sessions have ended\n", name.c_str());
      }
    }
  } else if (action == "del") {
    status = accounts.DeleteUser(actor, name);
    if (status.ok()) std::printf("deleted %s\n", name.c_str());
  } else if (action == "role") {
    status = accounts.SetRole(actor, name, *role);
    if (status.ok()) {
      std::printf("%s is %s\n", name.c_str(), std::string(auth::RoleName(*role)).c_str());
    }
  } else if (action == "disable" || action == "enable") {
    const bool disable = action == "disable";
    status = accounts.SetDisabled(actor, name, disable);
    if (status.ok()) std::printf("%s is %s\n", name.c_str(), disable ? "disabled" : "enabled");
  } else if (action == "grant" || action == "revoke") {
    for (const std::string& camera : cameras) {
      if (action == "grant" && !HasCamera(*cfg, camera)) {
        std::fprintf(stderr, "sightline user: note: %s has no camera '%s' (granted anyway)\n",
                     flags.Get("config").c_str(), camera.c_str());
      }
      status = action == "grant" ? accounts.GrantCamera(actor, name, camera)
                                 : accounts.RevokeCamera(actor, name, camera);
      if (!status.ok()) break;
      std::printf("%s %s view %s\n", name.c_str(), action == "grant" ? "may" : "may no longer",
                  camera.c_str());
    }
  } else if (action == "token") {
    const std::string label = flags.Get("name");
    if (flags.Has("revoke")) {
      status = accounts.RevokeApiToken(actor, name, label);
      if (status.ok()) std::printf("revoked the token '%s' of %s\n", label.c_str(), name.c_str());
    } else {
      Result<std::string> token = accounts.CreateApiToken(actor, name, label, token_lifetime);
      status = token.status();
      if (token.ok()) {
        std::fprintf(stderr, "API token '%s' for %s; it is shown only this once:\n", label.c_str(),
                     name.c_str());
        std::printf("%s\n", token->c_str());
      }
    }
  }
  if (!status.ok()) return fail(status, 1);
  return 0;
}

}  // namespace sightline::app
