#pragma once
// Entry points of the subcommands implemented in app/. Each takes argv starting at the
// subcommand name and returns the process exit code.

namespace sightline::app {

int AnalyzeMain(int argc, char** argv);
int CentralMain(int argc, char** argv);
int CheckMain(int argc, char** argv);
int DiscoverMain(int argc, char** argv);
int ExportMain(int argc, char** argv);
int IngestMain(int argc, char** argv);
int ProtectMain(int argc, char** argv);
int RunMain(int argc, char** argv);
int UserMain(int argc, char** argv);

}  // namespace sightline::app
