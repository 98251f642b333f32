#pragma once
// Plumbing of the multi-site integration tests (multisite_test.cc): a nats-server and a
// PostgreSQL 15 of the test's own, on free ports in a temporary directory, and
// `sightline central`. PostgreSQL refuses to run as root, so it runs as the `postgres` user
// (runuser); the tests skip when they are not root or that user or a program is missing.
// Every process is stopped when its object goes away, also when a test fails half-way.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "record_harness.h"
#include "store/sqlite.h"
#include "support/child_process.h"
#include "support/free_port.h"
#include "support/tcp_connection.h"

namespace sightline::testing {

inline constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";


// `s` in single quotes for /bin/sh, also when it holds single quotes (SQL).
inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Why these tests cannot run here, or nullopt.
inline std::optional<std::string> MissingPrerequisite() {
  if (::geteuid() != 0) return "must run as root (PostgreSQL runs as user postgres through runuser)";
  if (Shell("id postgres").code != 0) return "no postgres user (apt-get install postgresql-15)";
  if (!std::filesystem::exists(std::string(kPgBin) + "/initdb")) return "no PostgreSQL 15 (scripts/setup.sh)";
  if (Shell("command -v nats-server").code != 0) return "no nats-server (scripts/setup.sh)";
  return std::nullopt;
}

// Waits up to `timeout_ms` for something to accept TCP connections on 127.0.0.1:port.
inline bool WaitForPort(uint16_t port, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (TcpConnection::Connect("127.0.0.1", port, 200).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Waits up to `timeout_ms` for a line of the file at `path` to contain `text`.
inline bool WaitForFileText(const std::string& path, const std::string& text, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (line.find(text) != std::string::npos) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// nats-server on a fixed port, restartable on the same port after a kill -9; in the network
// namespace `netns` when given (tests/netns_harness.h), where the test cannot connect to it to
// see it listen: there its log says when it is ready.
class NatsServer {
 public:
  NatsServer(std::string dir, uint16_t port, std::string netns = "")
      : dir_(std::move(dir)), port_(port), netns_(std::move(netns)) {}
  Status Start() {
    const std::string log = dir_ + "/nats.log";
    std::filesystem::remove(log);
    ASSIGN_OR_RETURN(process_, StartIn(netns_, "nats-server", {"-a", "127.0.0.1", "-p", std::to_string(port_),
                                                               "-l", log}));
    const bool ready = netns_.empty() ? WaitForPort(port_, 10'000) : WaitForFileText(log, "Server is ready", 10'000);
    if (!ready) return DeadlineExceededError("nats-server did not listen on " + Url());
    return Status();
  }
  void Kill9() {
    if (process_) process_->Signal(SIGKILL).IgnoreError();
    if (process_) process_->Wait(5000).status().IgnoreError();
    process_.reset();
  }
  std::string Url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }

 private:
  std::string dir_;
  uint16_t port_;
  std::string netns_;
  std::unique_ptr<ChildProcess> process_;  // killed by its destructor
};

// PostgreSQL 15 in `dir`/pg, listening only on a unix socket in `dir`/pg-socket.
class Postgres {
 public:
  Postgres(std::string dir, uint16_t port)
      : data_(dir + "/pg"), socket_dir_(dir + "/pg-socket"), port_(port) {}
  ~Postgres() {
    if (started_) Shell(AsPostgres(std::string(kPgBin) + "/pg_ctl -D " + Quote(data_) + " -m immediate stop"));
  }
  Postgres(const Postgres&) = delete;
  Postgres& operator=(const Postgres&) = delete;

  Status Start() {
    std::filesystem::create_directories(data_);
    std::filesystem::create_directories(socket_dir_);
    for (const std::string& d : {data_, socket_dir_}) {
      if (Shell("chown postgres: " + Quote(d)).code != 0) return InternalError("chown postgres " + d);
    }
    const CommandResult init = Shell(AsPostgres(std::string(kPgBin) + "/initdb -D " + Quote(data_) +
                                                " -U postgres --auth=trust -E UTF8 --no-sync"));
    if (init.code != 0) return InternalError("initdb: " + init.output);
    const std::string options = "-p " + std::to_string(port_) + " -k " + socket_dir_ + " -c listen_addresses=";
    const CommandResult start = Shell(AsPostgres(std::string(kPgBin) + "/pg_ctl -D " + Quote(data_) + " -l " +
                                                 Quote(data_ + "/log") + " -o " + Quote(options) + " -w start"));
    if (start.code != 0) return InternalError("pg_ctl start: " + start.output);
    started_ = true;
    return Status();
  }

  std::string Conninfo() const {
    return "host=" + socket_dir_ + " port=" + std::to_string(port_) + " dbname=postgres user=postgres";
  }
  // The first column of the first row of `sql`, or the error.
  std::string Query(const std::string& sql) const {
    CommandResult r = Shell("psql -X -At -d " + Quote(Conninfo()) + " -c " + ShellQuote(sql));
    while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
    return r.code == 0 ? r.output : "error: " + r.output;
  }
  int64_t Count(const std::string& sql) const {
    const std::string text = Query(sql);
    return text.empty() || text.starts_with("error") ? -1 : std::stoll(text);
  }

 private:
  static std::string AsPostgres(const std::string& command) { return "runuser -u postgres -- " + command; }
  std::string data_, socket_dir_;
  uint16_t port_;
  bool started_ = false;
};

// `sightline central` with a central.yaml in `dir`; in the network namespace `netns` when
// given (PostgreSQL's unix socket is a path, reachable from any namespace).
class Central {
 public:
  Central(std::string dir, std::string nats_url, std::string conninfo, std::string netns = "")
      : config_(dir + "/central.yaml"), netns_(std::move(netns)) {
    std::ofstream(config_) << "nats:\n  url: " << nats_url << "\npostgres: \"" << conninfo << "\"\n";
  }
  Status Start() {
    ASSIGN_OR_RETURN(process_, StartIn(netns_, SIGHTLINE_BINARY, {"central", "--config", config_,
                                                                  "--log-level", "warning"}));
    return process_->WaitForLinePrefix("central: ingesting", 20'000).status();
  }
  void Kill9() {
    if (process_) process_->Signal(SIGKILL).IgnoreError();
    if (process_) process_->Wait(5000).status().IgnoreError();
    process_.reset();
  }
  // Stops it as Ctrl-C does and returns its summary line ("received=... refused=...").
  std::string Stop() {
    if (!process_) return "";
    EXPECT_TRUE(process_->Signal(SIGINT).ok());
    Result<std::string> line = process_->WaitForLinePrefix("central summary: ", 20'000);
    EXPECT_TRUE(line.ok()) << line.status();
    Result<int> code = process_->Wait(20'000);
    EXPECT_TRUE(code.ok() && *code == 0);
    process_.reset();
    return line.ok() ? *line : "";
  }

 private:
  std::string config_;
  std::string netns_;
  std::unique_ptr<ChildProcess> process_;
};

// Publishes `payload` on `subject` by speaking the NATS protocol by hand (no client library
// in between: the bytes are exactly these). Waits for the server's PONG, so the message was
// routed before this returns.
inline Status NatsPublishRaw(uint16_t port, const std::string& subject, const std::string& payload) {
  ASSIGN_OR_RETURN(std::unique_ptr<TcpConnection> c, TcpConnection::Connect("127.0.0.1", port));
  RETURN_IF_ERROR(c->Write("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPUB " + subject + " " +
                           std::to_string(payload.size()) + "\r\n" + payload + "\r\nPING\r\n"));
  std::string seen;
  while (seen.find("PONG") == std::string::npos) {
    ASSIGN_OR_RETURN(std::string more, c->Read(5000));
    seen += more;
  }
  return Status();
}

// What a site committed or the centre stored, per lane, by the site's row ids.
struct Rows {
  std::set<int64_t> alarms, events, audit;
  int64_t outbox = -1;  // rows still in the site's outbox (-1 at the centre)
  friend bool operator==(const Rows& a, const Rows& b) {
    return a.alarms == b.alarms && a.events == b.events && a.audit == b.audit;
  }
};

inline std::ostream& operator<<(std::ostream& os, const Rows& r) {
  return os << "alarms=" << r.alarms.size() << " events=" << r.events.size() << " audit=" << r.audit.size()
            << " outbox=" << r.outbox;
}

inline std::vector<int64_t> ParseIds(const std::string& csv) {
  std::vector<int64_t> ids;
  std::stringstream in(csv);
  std::string id;
  while (std::getline(in, id, ',')) {
    if (!id.empty()) ids.push_back(std::stoll(id));
  }
  return ids;
}

// Raises events at a site as the recorder does, from another process: commits `n` closed
// motion events of camera cam0 (and every 10th an alarm: a store event) to the site's index
// at `index_path`, one transaction each, `gap` apart, until `stop`; counts them in `produced`.
inline void ProduceEvents(const std::string& index_path, int n, std::chrono::milliseconds gap,
                          const std::atomic<bool>& stop, std::atomic<int64_t>& produced) {
  Result<std::unique_ptr<store::Db>> db = store::Db::Open(index_path, /*read_only=*/false);
  ASSERT_TRUE(db.ok()) << db.status();
  for (int i = 0; i < n && !stop; ++i) {
    const int64_t now = UnixMicros(std::chrono::system_clock::now());
    std::string sql = "BEGIN IMMEDIATE; INSERT INTO motion_events (camera, stream, start_us, end_us, zones,"
                      " peak_fraction, peak_us) VALUES ('cam0', 'main', " + std::to_string(now - 5'000'000) +
                      ", " + std::to_string(now) + ", 'door', 0.25, " + std::to_string(now - 1'000'000) + ");";
    if (i % 10 == 0) {
      sql += " INSERT INTO events (time_us, kind, camera, message) VALUES (" + std::to_string(now) +
             ", 'test_alarm', 'cam0', 'raised by the test');";
    }
    ASSERT_TRUE((*db)->Exec(sql + " COMMIT;").ok());
    ++produced;
    if (gap.count() > 0) std::this_thread::sleep_for(gap);
  }
}

// The ids committed at the site whose index is at `index_path` (every row of the three
// tables: the outbox was installed before the first) and the rows left in its outbox.
inline Rows RowsAtSite(const std::string& index_path) {
  Rows r;
  Result<std::unique_ptr<store::Db>> db = store::Db::Open(index_path, /*read_only=*/true);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return r;
  auto ids = [&](const char* sql) {
    std::set<int64_t> out;
    Result<store::Stmt> s = (*db)->Prepare(sql);
    EXPECT_TRUE(s.ok()) << s.status();
    while (s.ok() && *s->Step()) out.insert(s->Int(0));
    return out;
  };
  r.alarms = ids("SELECT id FROM events");
  r.events = ids("SELECT id FROM motion_events WHERE end_us IS NOT NULL");
  r.audit = ids("SELECT id FROM audit");
  const std::set<int64_t> outbox = ids("SELECT count(*) FROM outbox");
  r.outbox = outbox.empty() ? -1 : *outbox.begin();
  return r;
}

// The site's row ids stored at the centre. A row stored twice (under two message ids) fails
// the test: it shows as a count above the number of distinct ids.
inline Rows RowsAtCentre(const Postgres& pg, const std::string& site) {
  Rows r;
  for (auto [table, ids] : {std::pair{"alarms", &r.alarms}, {"events", &r.events}, {"audit", &r.audit}}) {
    const std::string where = std::string(" FROM ") + table + " WHERE site = '" + site + "'";
    // One statement, so one snapshot: rows keep arriving while the test looks.
    const std::string csv = pg.Query("SELECT string_agg(body->>'id', ',')" + where);
    if (csv.starts_with("error")) {
      ADD_FAILURE() << csv;
      continue;
    }
    const std::vector<int64_t> rows = ParseIds(csv);
    ids->insert(rows.begin(), rows.end());
    EXPECT_EQ(rows.size(), ids->size()) << site << " " << table << ": " << rows.size() << " rows for "
                                        << ids->size() << " distinct site rows";
  }
  return r;
}

}  // namespace sightline::testing
