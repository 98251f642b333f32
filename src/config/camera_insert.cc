#include "config/camera_insert.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <regex>
#include <set>

#include "config/config.h"
#include "config/diagnostics.h"
#include "config/yaml_reader.h"

namespace sightline::config {
namespace {

constexpr int kDefaultIndent = 2;

// Where the file's `cameras:` section is, and what it holds.
struct Section {
  enum class Kind { kMissing, kEmpty, kBlock };
  Kind kind = Kind::kMissing;
  size_t key_line = 0;  // 0-based
  int key_column = 0;   // 0-based; for kMissing, the column of the top-level keys
  std::vector<std::string> names;
};

std::string_view WithoutCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

int IndentOf(std::string_view line) {
  const size_t n = line.find_first_not_of(' ');
  return n == std::string_view::npos ? static_cast<int>(line.size()) : static_cast<int>(n);
}

bool IsBlankOrComment(std::string_view line) {
  line = WithoutCr(line);
  const size_t n = line.find_first_not_of(" \t");
  return n == std::string_view::npos || line[n] == '#';
}

bool IsBlank(std::string_view line) { return WithoutCr(line).find_first_not_of(" \t") == std::string_view::npos; }

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (;;) {
    const size_t nl = text.find('\n', start);
    lines.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) return lines;
    start = nl + 1;
  }
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += lines[i];
  }
  return out;
}

Status CheckRequest(const std::vector<NewOnvifCamera>& cameras) {
  if (cameras.empty()) return InvalidArgumentError("no cameras to add");
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < cameras.size(); ++i) {
    const NewOnvifCamera& c = cameras[i];
    const std::string which = "camera " + std::to_string(i + 1) + " (\"" + c.name.substr(0, 80) + "\")";
    if (!IsValidName(c.name)) {
      return InvalidArgumentError(which + ": a camera name is 1 to " + std::to_string(kMaxNameLength) +
                                  " letters, digits, _ or - (it becomes a directory name)");
    }
    if (!seen.insert(c.name).second) return InvalidArgumentError(which + ": the name is given twice");
    if (c.host.empty()) return InvalidArgumentError(which + ": no host");
    if (c.user.empty() != c.password.empty()) {
      return InvalidArgumentError(which + ": give both user and password, or neither");
    }
    for (const std::string* s : {&c.host, &c.user, &c.password}) {
      if (std::any_of(s->begin(), s->end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; })) {
        return InvalidArgumentError(which + ": host, user and password must not contain control characters");
      }
    }
  }
  return Status::Ok();
}

// The file's `cameras:` section, found in the YAML tree (positions are yaml-cpp's marks).
Result<Section> FindSection(std::string_view text, std::string_view file_name) {
  // LoadDocument, not YAML::Load: it catches yaml-cpp's exceptions and avoids its endless loop
  // on stray tokens.
  Diagnostics diag(file_name);
  const std::optional<YAML::Node> document = LoadDocument(std::string(text), diag);
  if (!document) {
    return InvalidArgumentError("fix the YAML of the file by hand first: " + diag.ToStatus().message());
  }
  const YAML::Node& root = *document;
  Section section;
  if (!root.IsDefined() || root.IsNull()) return section;
  if (!root.IsMap() || root.Style() == YAML::EmitterStyle::Flow) {
    return FailedPreconditionError(std::string(file_name) +
                                   " is not a block map of sections; add the cameras by hand (docs/ref/config.md)");
  }
  bool first = true;
  for (const auto& entry : root) {
    const YAML::Mark key_mark = entry.first.Mark();
    if (first) section.key_column = key_mark.column;
    first = false;
    if (!entry.first.IsScalar() || entry.first.Scalar() != "cameras") continue;
    section.key_line = static_cast<size_t>(key_mark.line);
    section.key_column = key_mark.column;
    const YAML::Node& value = entry.second;
    const std::string where = std::string(file_name) + ":" + std::to_string(key_mark.line + 1) + ": cameras";
    if (value.IsNull()) {
      section.kind = Section::Kind::kEmpty;
    } else if (!value.IsMap()) {
      return InvalidArgumentError(where + " is not a map of camera names; fix it by hand first");
    } else if (value.Style() == YAML::EmitterStyle::Flow) {
      if (value.size() != 0) {
        return FailedPreconditionError(where + " is written in flow style ({...}); write it as a block map "
                                               "(one camera per line) or add the cameras by hand");
      }
      section.kind = Section::Kind::kEmpty;
    } else {
      section.kind = Section::Kind::kBlock;
      for (const auto& camera : value) {
        if (camera.first.IsScalar()) section.names.push_back(camera.first.Scalar());
      }
    }
    return section;
  }
  return section;
}

// The indentation the file uses for one level: its first indented line that is not a comment.
int IndentStep(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (IsBlankOrComment(line)) continue;
    const int indent = IndentOf(line);
    if (indent > 0) return indent;
  }
  return kDefaultIndent;
}

// `cameras:`, `cameras: ~` or `cameras: {}` (with any comment) as `cameras:`; nullopt when the
// value is written in another way (on the next line, say).
std::optional<std::string> AsBlockKey(std::string_view line) {
  static const std::regex kEmptyKey(R"(^(\s*["']?cameras["']?\s*:)\s*(\{\s*\}|~|null|Null|NULL)?\s*(#.*)?$)");
  const bool cr = !line.empty() && line.back() == '\r';
  const std::string body(WithoutCr(line));
  std::smatch m;
  if (!std::regex_match(body, m, kEmptyKey)) return std::nullopt;
  std::string out = m[1].str();
  if (m[3].matched) out += " " + m[3].str();
  if (cr) out += '\r';
  return out;
}

// The index of the line after the last line of the section that starts at `key_line`: lines
// more indented than the key belong to it (comments too); the first other line that is not a
// comment ends it. Comments at the key's level between sections stay after the new entries.
size_t SectionEnd(const std::vector<std::string>& lines, size_t key_line, int key_column) {
  size_t last = key_line;
  for (size_t i = key_line + 1; i < lines.size(); ++i) {
    if (IsBlank(lines[i])) continue;
    const int indent = IndentOf(lines[i]);
    if (indent <= key_column) {
      if (IsBlankOrComment(lines[i])) continue;
      break;
    }
    last = i;
  }
  return last + 1;
}

// The indentation of the section's first camera name.
int EntryIndent(const std::vector<std::string>& lines, size_t key_line, size_t end, int fallback) {
  for (size_t i = key_line + 1; i < end; ++i) {
    if (!IsBlankOrComment(lines[i])) return IndentOf(lines[i]);
  }
  return fallback;
}

std::string CommentLine(std::string_view note, int indent, std::string_view eol) {
  std::string clean;
  for (char c : note) clean += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  return std::string(static_cast<size_t>(indent), ' ') + "# " + clean + std::string(eol);
}

// Inserts `block` (whole lines, each ending in '\n') before line `at`.
void InsertLines(std::vector<std::string>& lines, size_t at, const std::string& block) {
  std::vector<std::string> add = SplitLines(block);
  add.pop_back();  // after the last '\n'
  if (at >= lines.size()) {
    // After a last line without a newline: it gets one, and so does the text.
    add.push_back("");
    at = lines.size();
  }
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), add.begin(), add.end());
}

Result<std::string> InsertText(std::string_view text, const Section& section, const std::vector<NewOnvifCamera>& cameras,
                               std::string_view note, std::string_view file_name) {
  const std::string_view eol = text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  std::vector<std::string> lines = SplitLines(text);
  const int step = IndentStep(lines);
  std::string block;
  if (section.kind == Section::Kind::kMissing) {
    // A new section at the end of the file.
    const int indent = section.key_column + step;
    block = std::string(static_cast<size_t>(section.key_column), ' ') + "cameras:" + std::string(eol);
    if (!note.empty()) block += CommentLine(note, indent, eol);
    block += OnvifCameraEntries(cameras, indent, step, eol);
    size_t at = lines.size();
    if (lines.back().empty()) at = lines.size() - 1;  // the text ends with a newline
    InsertLines(lines, at, block);
    return JoinLines(lines);
  }
  if (section.kind == Section::Kind::kEmpty) {
    std::optional<std::string> key = AsBlockKey(lines[section.key_line]);
    if (!key) {
      return FailedPreconditionError(std::string(file_name) + ":" + std::to_string(section.key_line + 1) +
                                     ": write cameras: on a line of its own, then add the cameras by hand");
    }
    lines[section.key_line] = *key;
  }
  const size_t end = SectionEnd(lines, section.key_line, section.key_column);
  const int indent = EntryIndent(lines, section.key_line, end, section.key_column + step);
  if (!note.empty()) block += CommentLine(note, indent, eol);
  block += OnvifCameraEntries(cameras, indent, step, eol);
  InsertLines(lines, end, block);
  return JoinLines(lines);
}

// The result parses, keeps the old cameras in their order and has the new ones as onvif:.
Status CheckResult(std::string_view old_text, const std::string& new_text, const std::vector<NewOnvifCamera>& cameras,
                   std::string_view file_name, const EnvLookup& env) {
  Result<Config> before = ParseConfig(old_text, file_name, env);
  Result<Config> after = ParseConfig(new_text, file_name, env);
  if (!after.ok()) {
    if (!before.ok()) {
      return InvalidArgumentError(std::string(file_name) + " has errors already; fix them first, nothing was written:\n" +
                                  before.status().message());
    }
    return InvalidArgumentError("with these cameras " + std::string(file_name) +
                                " would not be valid, so nothing was written:\n" + after.status().message());
  }
  std::vector<std::string> expected;
  if (before.ok()) {
    for (const CameraConfig& c : before->cameras) expected.push_back(c.name);
  }
  for (const NewOnvifCamera& c : cameras) expected.push_back(c.name);
  std::vector<std::string> got;
  for (const CameraConfig& c : after->cameras) {
    if (before.ok() || c.onvif.has_value()) got.push_back(c.name);
  }
  const bool all_onvif = std::all_of(cameras.begin(), cameras.end(), [&](const NewOnvifCamera& n) {
    return std::any_of(after->cameras.begin(), after->cameras.end(),
                       [&](const CameraConfig& c) { return c.name == n.name && c.onvif.has_value(); });
  });
  if ((before.ok() && got != expected) || !all_onvif) {
    return InternalError("the edited " + std::string(file_name) +
                         " did not come out as intended (its layout may be unusual), so nothing was written; "
                         "add the cameras by hand");
  }
  return Status::Ok();
}

}  // namespace

std::string YamlQuoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string OnvifCameraEntries(const std::vector<NewOnvifCamera>& cameras, int indent, int step, std::string_view eol) {
  const std::string outer(static_cast<size_t>(indent), ' ');
  const std::string inner(static_cast<size_t>(indent + step), ' ');
  std::string out;
  for (const NewOnvifCamera& c : cameras) {
    out += outer + c.name + ":" + std::string(eol);
    out += inner + "onvif: {host: " + YamlQuoted(c.host);
    if (!c.user.empty()) out += ", user: " + YamlQuoted(c.user) + ", password: " + YamlQuoted(c.password);
    out += "}" + std::string(eol);
  }
  return out;
}

Result<std::string> AddOnvifCameras(std::string_view text, const std::vector<NewOnvifCamera>& cameras,
                                    std::string_view file_name, std::string_view note, const EnvLookup& env) {
  RETURN_IF_ERROR(CheckRequest(cameras));
  ASSIGN_OR_RETURN(Section section, FindSection(text, file_name));
  for (const NewOnvifCamera& c : cameras) {
    if (std::find(section.names.begin(), section.names.end(), c.name) != section.names.end()) {
      return InvalidArgumentError("camera " + c.name + ": " + std::string(file_name) +
                                  " already has a camera of that name; choose another name");
    }
  }
  ASSIGN_OR_RETURN(std::string edited, InsertText(text, section, cameras, note, file_name));
  RETURN_IF_ERROR(CheckResult(text, edited, cameras, file_name, env));
  return edited;
}

}  // namespace sightline::config
