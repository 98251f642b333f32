// `sightline user` through the binary, as an installer or admin runs it: the first admin
// before anything was recorded (the index is created), list, grants, API tokens, and the
// errors a person meets. The password reaches the index only as an Argon2id hash of the
// default cost.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "record_harness.h"
#include "store/sqlite.h"
#include "support/child_process.h"

namespace sightline::testing {
namespace {

std::string Quote(const std::string& s) { return "'" + s + "'"; }

struct Output {
  int code = -1;
  std::string text;  // stdout and stderr, lines joined with '\n'
};

class UserCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteRecordConfig(config_, "  dirs: [" + tmp_.path() + "/disk]\n", "554", {"front", "back"});
  }

  // Runs `sightline user ARGS --config ...` with `input` on its standard input. `prefix`
  // goes before the binary (e.g. setsid, to run without a controlling terminal).
  Output User(const std::string& args, const std::string& input = "",
              const std::string& prefix = "") {
    const std::string command = "printf '%s' " + Quote(input) + " | " + prefix + " " +
                                Quote(SIGHTLINE_BINARY) + " user " + args + " --config " +
                                Quote(config_) + " 2>&1";
    Output out;
    Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Start("/bin/sh", {"-c", command});
    EXPECT_TRUE(child.ok()) << child.status();
    if (!child.ok()) return out;
    for (;;) {
      Result<std::string> line = (*child)->ReadLine(30'000);
      if (!line.ok()) break;
      out.text += *line + "\n";
    }
    Result<int> code = (*child)->Wait(30'000);
    EXPECT_TRUE(code.ok()) << code.status();
    out.code = code.value_or(-1);
    return out;
  }

  TempDir tmp_;
  const std::string config_ = tmp_.path() + "/sightline.yaml";
};

TEST_F(UserCliTest, AddListGrantToken) {
  Output none = User("list");
  ASSERT_EQ(none.code, 0) << none.text;
  EXPECT_NE(none.text.find("no users yet"), std::string::npos) << none.text;

  Output viewer_first = User("add vera --role viewer --password-stdin", "vera-password\n");
  EXPECT_EQ(viewer_first.code, 1) << viewer_first.text;
  EXPECT_NE(viewer_first.text.find("the first user must be one"), std::string::npos)
      << viewer_first.text;

  Output add = User("add alice --role admin --password-stdin", "alice-password\n");
  ASSERT_EQ(add.code, 0) << add.text;
  EXPECT_EQ(add.text, "added admin alice\n");
  ASSERT_EQ(User("add bob --role viewer --password-stdin", "bob-password\n").code, 0);
  Output grant = User("grant bob --camera front --camera yard");
  ASSERT_EQ(grant.code, 0) << grant.text;
  EXPECT_NE(grant.text.find("bob may view front"), std::string::npos) << grant.text;
  EXPECT_NE(grant.text.find("has no camera 'yard'"), std::string::npos) << grant.text;

  Output list = User("list");
  ASSERT_EQ(list.code, 0) << list.text;
  EXPECT_EQ(list.text,
            "NAME   ROLE      STATE     CAMERAS\n"
            "alice  admin     enabled   (all)\n"
            "bob    viewer    enabled   front, yard\n");

  Output token = User("token bob --name nightly");
  ASSERT_EQ(token.code, 0) << token.text;
  // 90 days unless told; never only when asked for; nonsense refused before anything changes.
  ASSERT_EQ(User("token bob --name forever --expires 0").code, 0);
  ASSERT_EQ(User("token bob --name week --expires 7").code, 0);
  EXPECT_EQ(User("token bob --name bad --expires -1").code, 2);
  EXPECT_EQ(User("token bob --name bad --expires soon").code, 2);
  const size_t newline = token.text.rfind('\n', token.text.size() - 2);
  const std::string printed = token.text.substr(newline + 1, token.text.size() - newline - 2);
  EXPECT_EQ(printed.size(), 43u) << token.text;

  // What the index holds: Argon2id hashes of the default cost, the token only hashed.
  Result<std::unique_ptr<store::Db>> db = store::Db::Open(tmp_.path() + "/disk/index.db", true);
  ASSERT_TRUE(db.ok()) << db.status();
  Result<store::Stmt> hashes = (*db)->Prepare("SELECT password_hash FROM users");
  ASSERT_TRUE(hashes.ok());
  int users = 0;
  while (*hashes->Step()) {
    ++users;
    EXPECT_EQ(hashes->Text(0).rfind("$argon2id$v=19$m=131072,t=3,p=1$", 0), 0u) << hashes->Text(0);
  }
  EXPECT_EQ(users, 2);
  Result<store::Stmt> tokens = (*db)->Prepare(
      "SELECT name, token_hash, (expires_us - created_us) / 86400000000 FROM api_tokens"
      " WHERE expires_us = 0 OR name = 'nightly' OR name = 'week' ORDER BY name");
  ASSERT_TRUE(tokens.ok());
  ASSERT_TRUE(*tokens->Step());
  EXPECT_EQ(tokens->Text(0), "forever");
  EXPECT_LE(tokens->Int(2), 0) << "expires_us 0: never";
  ASSERT_TRUE(*tokens->Step());
  EXPECT_EQ(tokens->Text(0), "nightly");
  EXPECT_NE(tokens->Text(1), printed);
  EXPECT_EQ(tokens->Text(1).size(), 64u);
  EXPECT_EQ(tokens->Int(2), 90);
  ASSERT_TRUE(*tokens->Step());
  EXPECT_EQ(tokens->Text(0), "week");
  EXPECT_EQ(tokens->Int(2), 7);
  EXPECT_FALSE(*tokens->Step()) << "no token 'bad'";
}

TEST_F(UserCliTest, ErrorsAPersonMeets) {
  ASSERT_EQ(User("add alice --role admin --password-stdin", "alice-password\n").code, 0);

  Output again = User("add Alice --role viewer --password-stdin", "another-password\n");
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.text.find("exists"), std::string::npos) << again.text;

  Output short_password = User("add carol --role viewer --password-stdin", "short\n");
  EXPECT_EQ(short_password.code, 1);
  EXPECT_NE(short_password.text.find("at least 8 characters"), std::string::npos)
      << short_password.text;
  EXPECT_EQ(short_password.text.find("short\n"), std::string::npos) << "never echo a password";

  ASSERT_EQ(User("add bob --role viewer --password-stdin", "bob-password\n").code, 0);
  Output last_admin = User("del alice");
  EXPECT_EQ(last_admin.code, 1);
  EXPECT_NE(last_admin.text.find("last one cannot be deleted"), std::string::npos)
      << last_admin.text;

  Output no_user = User("role nobody operator");
  EXPECT_EQ(no_user.code, 1);
  EXPECT_NE(no_user.text.find("no user named 'nobody'"), std::string::npos) << no_user.text;

  Output bad_role = User("add dan --role superuser --password-stdin", "dan-password\n");
  EXPECT_EQ(bad_role.code, 2);
  EXPECT_NE(bad_role.text.find("unknown role 'superuser'"), std::string::npos) << bad_role.text;

  EXPECT_EQ(User("frobnicate alice").code, 2);
  EXPECT_EQ(User("del").code, 2);
  EXPECT_EQ(User("grant alice").code, 2) << "needs --camera";

  // Without --password-stdin the password is asked on the terminal; there is none here.
  Output no_tty = User("passwd alice", "", "setsid -w");
  EXPECT_EQ(no_tty.code, 2);
  EXPECT_NE(no_tty.text.find("--password-stdin"), std::string::npos) << no_tty.text;

  Output passwd = User("passwd alice --password-stdin", "a-new-password\n");
  EXPECT_EQ(passwd.code, 0) << passwd.text;
}

}  // namespace
}  // namespace sightline::testing
