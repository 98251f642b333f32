// sightline: one binary, one subcommand per job.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "app/subcommands.h"
#include "app/version.h"
#include "tools/camsim/camsim_main.h"

namespace {

constexpr const char* kUsage = R"(sightline: a network video recorder

usage: sightline <command> [flags]   (sightline <command> --help for its flags)
       sightline --version

commands:
  analyze   motion analysis of a video file as `run` does it, as JSON lines (for tuning)
  central   the operations centre: every site's events and audit into PostgreSQL
  camsim    serve looping video files as RTSP cameras (for tests, demos, benchmarks)
  check     check the recording store against the index; repair it or rebuild the index
  discover  find ONVIF cameras on the network and the streams they offer
  export    write a time range of a recorded stream as MP4 files
  ingest    connect to RTSP cameras and print per-camera fps, bitrate and losses
  protect   evidence lock: keep a time range of a stream from retention (or --off)
  run       the recorder: record the cameras of a sightline.yaml
  user      accounts of the web UI and API: add, list, del, passwd, role, grant, token
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string_view command = argv[1];
  if (command == "--version") {
    std::printf("sightline %.*s\n", static_cast<int>(sightline::app::kVersion.size()),
                sightline::app::kVersion.data());
    return 0;
  }
  if (command == "analyze") return sightline::app::AnalyzeMain(argc - 1, argv + 1);
  if (command == "central") return sightline::app::CentralMain(argc - 1, argv + 1);
  if (command == "camsim") return sightline::camsim::CamsimMain(argc - 1, argv + 1);
  if (command == "check") return sightline::app::CheckMain(argc - 1, argv + 1);
  if (command == "discover") return sightline::app::DiscoverMain(argc - 1, argv + 1);
  if (command == "export") return sightline::app::ExportMain(argc - 1, argv + 1);
  if (command == "ingest") return sightline::app::IngestMain(argc - 1, argv + 1);
  if (command == "protect") return sightline::app::ProtectMain(argc - 1, argv + 1);
  if (command == "run") return sightline::app::RunMain(argc - 1, argv + 1);
  if (command == "user") return sightline::app::UserMain(argc - 1, argv + 1);
  std::fprintf(stderr, "sightline: unknown command '%s'\n\n%s", argv[1], kUsage);
  return 2;
}
