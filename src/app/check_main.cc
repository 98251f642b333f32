// sightline check: the recording store's consistency check, repair and index rebuild
// (store/check.h), on the storage directories of a sightline.yaml. The recorder must be
// stopped: a running one keeps writing files and rows the check would misread.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/command.h"
#include "app/subcommands.h"
#include "auth/audit_log.h"
#include "base/flags.h"
#include "base/logging.h"
#include "config/config.h"
#include "store/check.h"
#include "store/export.h"
#include "store/env.h"
#include "store/index.h"
#include "store/recovery.h"

namespace sightline::app {
namespace {

constexpr const char* kHelp = R"(usage: sightline check --config FILE [--full] [--repair]
       sightline check --config FILE --rebuild-index

Checks the recording store of FILE: every index row against its segment file, and every
segment file against the index; and the audit log's hash chain (an edited or removed row is
reported with its id and time). Prints a summary and every problem found. What a crash
leaves and the next `sightline run` recovers without loss (segments still open, files
written after the last index commit) is listed as recoverable, not as a problem.
Stop the recorder (`sightline run`) first: it must not write while the store is checked.

flags:
  --config FILE       sightline.yaml (required)
  --full              also read every recorded byte: verify every fragment's CRC32C and that
                      the index describes each fragment exactly (slow: reads all recordings)
  --repair            fix what is found: cut a bad row to the valid part of its file, take
                      in segment files without a row (delete those without a valid fragment)
  --rebuild-index     drop every segment row and rebuild the index from the files alone, also
                      when the index is missing, empty, from another installation or restored
                      from an old backup: storage directories that do not match it are
                      adopted. Evidence locks (`sightline protect`) are lost.
  --log-level L       debug, info, warning, error (default info)

exit status: 0 no problem (with --repair: every problem repaired); 1 problems remain or the
check could not run; 2 bad flags or config
)";

void PrintProblems(const store::CheckReport& report) {
  for (const std::string& p : report.problems) std::printf("problem: %s\n", p.c_str());
}

// Verifies the audit log's hash chain (auth/audit_log.h) and prints the result; false when a
// row is broken or the log cannot be read. The head is printed so that an operator can note
// it elsewhere: a chain cannot show that its newest rows were cut off.
bool CheckAuditLog(const std::string& index_path) {
  Result<std::unique_ptr<store::Db>> db = store::Db::Open(index_path, /*read_only=*/true);
  if (!db.ok()) {
    std::printf("problem: audit log: %s\n", db.status().ToString().c_str());
    return false;
  }
  Result<store::Stmt> version =
      (*db)->Prepare("SELECT value FROM meta WHERE key = 'auth_schema_version'");
  Result<bool> row = version.ok() ? version->Step() : Result<bool>(version.status());
  if (!row.ok() || !*row) {
    std::printf("audit log: none yet (no user was ever added)\n");
    return true;
  }
  if (version->Text(0) == "1") {
    std::printf("audit log: not chained yet (made by an older Sightline); the next `sightline"
                " run` chains it\n");
    return true;
  }
  Result<auth::AuditChainReport> chain = auth::VerifyAuditChain(**db);
  if (!chain.ok()) {
    std::printf("problem: audit log: %s\n", chain.status().ToString().c_str());
    return false;
  }
  if (!chain->ok()) {
    const auth::AuditRecord& r = *chain->first_broken;
    std::printf("problem: audit log row %lld (%s) breaks the hash chain: it was edited, or the row"
                " before it removed (%lld broken rows in all)\n",
                static_cast<long long>(r.id), store::FormatIso8601(r.time_us).c_str(),
                static_cast<long long>(chain->broken_rows));
    return false;
  }
  std::printf("audit log: %lld rows, hash chain intact; head: row %lld, hash %s\n",
              static_cast<long long>(chain->rows), static_cast<long long>(chain->head_id),
              chain->head_hash.c_str());
  return true;
}

}  // namespace

int CheckMain(int argc, char** argv) {
  Command cmd("check", kHelp);
  if (std::optional<int> done = cmd.Parse(
          {{"config"}, {"full", false}, {"repair", false}, {"rebuild-index", false}, {"log-level"}},
          argc, argv, {"config"})) {
    return *done;
  }
  const Flags* flags = &cmd.flags();
  auto fail = [&](const Status& s, int code) { return cmd.Fail(s, code); };
  const bool rebuild = flags->Has("rebuild-index");
  if (rebuild && (flags->Has("full") || flags->Has("repair"))) {
    return fail(InvalidArgumentError("--rebuild-index reads every file and repairs already; it"
                                     " takes no --full or --repair"), 2);
  }
  Result<config::Config> cfg = config::LoadConfig(flags->Get("config"));
  if (!cfg.ok()) return fail(cfg.status(), 2);

  store::Env& env = *store::DefaultEnv();
  const std::string& index_path = cfg->storage.index_path;
  if (rebuild) {
    if (Status s = env.CreateDirs(store::DirName(index_path)); !s.ok()) return fail(s, 1);
  } else if (!env.Exists(index_path)) {
    return fail(NotFoundError("no index at " + index_path +
                              ": `sightline check --rebuild-index` builds one from the files"), 1);
  }
  Result<std::unique_ptr<store::Index>> index = store::Index::Open(index_path);
  if (!index.ok()) return fail(index.status(), 1);
  std::vector<std::string> paths;
  for (const config::StorageDir& d : cfg->storage.dirs) paths.push_back(d.path);
  Result<std::vector<store::StorageDir>> dirs =
      store::OpenStorageDirs(env, **index, paths, index_path, /*adopt=*/rebuild);
  if (!dirs.ok()) return fail(dirs.status(), 1);
  std::printf("storage directories: %zu; index: %s\n", dirs->size(), index_path.c_str());
  const bool audit_ok = rebuild || CheckAuditLog(index_path);

  if (rebuild) {
    Result<store::CheckReport> report = store::RebuildIndex(env, **index, *dirs);
    if (!report.ok()) return fail(report.status(), 1);
    PrintProblems(*report);
    std::printf("rebuilt the index from %lld segment files (%lld torn tails cut off); %lld files"
                " without a valid fragment left alone\n",
                static_cast<long long>(report->segments), static_cast<long long>(report->repaired),
                static_cast<long long>(report->bad_segments));
    std::printf("result: %s\n", report->bad_segments == 0 ? "OK" : "PROBLEMS");
    return report->bad_segments == 0 ? 0 : 1;
  }

  Result<std::vector<store::SegmentRow>> open = (*index)->OpenSegments();
  if (!open.ok()) return fail(open.status(), 1);
  store::CheckOptions options;
  options.full = flags->Has("full");
  options.repair = flags->Has("repair");
  Result<store::CheckReport> report = store::CheckStore(env, **index, *dirs, options);
  if (!report.ok()) return fail(report.status(), 1);
  PrintProblems(*report);
  std::printf("checked %lld segments%s: %lld bad, %lld segment file%s without a row",
              static_cast<long long>(report->segments),
              options.full ? " (full: every fragment)" : "",
              static_cast<long long>(report->bad_segments),
              static_cast<long long>(report->orphan_files), report->orphan_files == 1 ? "" : "s");
  if (options.repair) std::printf(", %lld repaired", static_cast<long long>(report->repaired));
  std::printf("\n");
  if (!open->empty()) {
    std::printf("note: %zu segments are still open (the recorder did not stop cleanly, or is"
                " running); the next `sightline run` recovers them\n",
                open->size());
  }
  // After a crash these are expected, not damage: say so, and keep PROBLEMS for real damage.
  for (const std::string& r : report->recoverable) std::printf("recoverable: %s\n", r.c_str());
  if (report->recoverable_files > 0) {
    std::printf("note: %lld segment file%s written after the last index commit (the recorder did"
                " not stop cleanly, or is running); %s\n",
                static_cast<long long>(report->recoverable_files),
                report->recoverable_files == 1 ? " was" : "s were",
                options.repair ? "taken in now" : "the next `sightline run` recovers them");
  }
  const int64_t found = report->bad_segments + report->orphan_files;
  const bool ok = report->ok() || (options.repair && report->repaired >= found);
  std::printf("result: %s\n", !audit_ok ? "PROBLEMS" : report->ok() ? "OK" : ok ? "REPAIRED" : "PROBLEMS");
  return ok && audit_ok ? 0 : 1;
}

}  // namespace sightline::app
