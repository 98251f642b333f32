#pragma once
// `sightline camsim`: the camera simulator as a subcommand. Takes argv starting at the
// subcommand name ("camsim") and returns the process exit code. Runs until SIGINT/SIGTERM or
// --duration.

namespace sightline::camsim {

int CamsimMain(int argc, char** argv);

}  // namespace sightline::camsim
