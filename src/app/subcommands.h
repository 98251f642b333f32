#pragma once
// Entry points of the subcommands implemented in app/. Each takes argv starting at the
// subcommand name and returns the process exit code.

namespace sightline::app {

int IngestMain(int argc, char** argv);

}  // namespace sightline::app
