#pragma once
// Adding `onvif:` cameras to the text of sightline.yaml, as the web UI's "Add cameras" page does
// (docs/ref/api.md "Camera set-up"). The new entries are inserted into the file's `cameras:`
// section as text, so the user's comments, order and formatting stay as they were; the whole
// file is never re-emitted. The result must parse with ParseConfig, or nothing is returned.
// Pure apart from the environment lookup of ${NAME} references while checking the result.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/env.h"

namespace sightline::config {

struct NewOnvifCamera {
  std::string name;  // a camera name (docs/ref/config.md, "name"), not in the file yet
  std::string host;  // what `onvif.host` accepts: HOST[:PORT] or the device service URL
  // Both or neither. Written as given, quoted: a ${NAME} in them stays a reference that is
  // expanded at each start ("$${" for a literal "${").
  std::string user, password;
};

// The text of the new entries, one camera per two lines at `indent` spaces:
//   front:
//     onvif: {host: "10.0.0.7", user: "admin", password: "..."}
std::string OnvifCameraEntries(const std::vector<NewOnvifCamera>& cameras, int indent, int step,
                               std::string_view eol);

// `text` with `cameras` added at the end of its `cameras:` section (a new section at the end of
// the file when there is none; `cameras:`, `cameras: ~` and `cameras: {}` become a block map).
// `note`, when not empty, is written as a comment line before the new entries. Checks the
// names (the camera-name rule, no repeats, none already in the file), that user and password
// come together, and that the result parses with ParseConfig (with `env`) and holds the old
// cameras and the new ones. Errors: InvalidArgument naming the camera and what is wrong, or
// quoting the parser's errors; FailedPrecondition when the file's `cameras:` cannot be edited
// as text (written in flow style with entries, or the whole file in flow style).
Result<std::string> AddOnvifCameras(std::string_view text, const std::vector<NewOnvifCamera>& cameras,
                                    std::string_view file_name, std::string_view note,
                                    const EnvLookup& env = ProcessEnv);

// A YAML double-quoted scalar of `value` (quotes, backslashes and control characters escaped).
std::string YamlQuoted(std::string_view value);

}  // namespace sightline::config
