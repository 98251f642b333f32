#include "config/yaml_reader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <unistd.h>
#include <cmath>
#include <sstream>

#include "config/units.h"

namespace sightline::config {
namespace {

std::string_view KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

size_t ScalarSize(const YAML::Node& node) { return node.IsScalar() ? node.Scalar().size() : 0; }

void ReportKind(Context& ctx, const Field& f, std::string_view expected) {
  std::string m = "expected ";
  m.append(expected).append(", got ").append(KindName(f.value));
  f.Error(ctx, m);
}

std::string Join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out.append(w);
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The allowed key a typo most likely meant, if any is close.
std::optional<std::string_view> Suggest(std::string_view key, std::span<const std::string_view> allowed) {
  constexpr size_t kMaxTypoDistance = 2;
  std::optional<std::string_view> best;
  size_t best_distance = kMaxTypoDistance + 1;
  for (std::string_view candidate : allowed) {
    // The difference in length is a lower bound of the distance: skip long keys cheaply.
    const size_t length_difference =
        key.size() > candidate.size() ? key.size() - candidate.size() : candidate.size() - key.size();
    if (length_difference > kMaxTypoDistance) continue;
    const size_t d = EditDistance(key, candidate);
    if (d < best_distance && d < candidate.size()) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string KeyPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out.append(".").append(key);
  return out;
}

// Records where each document starts and ignores the rest.
class DocumentStarts final : public YAML::EventHandler {
 public:
  const std::vector<YAML::Mark>& starts() const { return starts_; }

  void OnDocumentStart(const YAML::Mark& mark) override { starts_.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  std::vector<YAML::Mark> starts_;
};

}  // namespace

std::optional<YAML::Node> LoadDocument(const std::string& text, Diagnostics& diag) {
  try {
    // yaml-cpp 0.7 makes an empty document of some tokens that cannot start a node (a stray ","
    // at block level) without consuming them, so its LoadAll loops forever and Load returns null.
    // Documents are counted first; two starting at the same token mean that token is stuck.
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts documents;
    while (parser.HandleNextDocument(documents)) {
      const std::vector<YAML::Mark>& starts = documents.starts();
      if (starts.size() >= 2 && starts.back().pos == starts[starts.size() - 2].pos) {
        const YAML::Mark& stuck = starts.back();
        std::string m = "YAML syntax error: unexpected";
        if (stuck.pos >= 0 && static_cast<size_t>(stuck.pos) < text.size()) {
          m.append(" \"").append(1, text[stuck.pos]).append("\"");
        }
        diag.Add(PositionOf(stuck), m);
        return std::nullopt;
      }
    }
    if (documents.starts().size() > 1) {
      diag.Add(PositionOf(documents.starts()[1]), "a second YAML document (after ---): put everything in one");
      return std::nullopt;
    }
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    diag.Add(PositionOf(e.mark), "YAML nesting is too deep");
  } catch (const YAML::Exception& e) {
    diag.Add(PositionOf(e.mark), "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    diag.Add(Position{}, std::string("cannot read the YAML: ") + e.what());
  }
  return std::nullopt;
}

void Context::Error(Position pos, std::string_view path, std::string_view message) {
  // Past the budget the walk stops early, and what it would report is noise.
  if (exhausted_) return;
  std::string m;
  if (!path.empty()) m.append(path).append(": ");
  m.append(message);
  diag_.Add(pos, std::move(m));
}

bool Context::Visit(size_t text_bytes) {
  if (exhausted_) return false;
  ++visits_;
  text_bytes_ += text_bytes;
  if (visits_ <= kMaxVisits && text_bytes_ <= kMaxTextBytes) return true;
  Error(Position{}, "", "too much to check: more than " + std::to_string(kMaxVisits) +
                            " map entries and list items or " + std::to_string(kMaxTextBytes >> 20) +
                            " MiB of keys and values (each use of an alias counts again)");
  exhausted_ = true;
  return false;
}

Position PositionOf(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return Position{};
  return Position{mark.line + 1, mark.column + 1};
}

Field::Field(std::string key_in, std::string path_in, Position key_pos_in, YAML::Node value_in)
    : key(std::move(key_in)),
      path(std::move(path_in)),
      key_pos(key_pos_in),
      pos(value_in.IsNull() ? key_pos_in : PositionOf(value_in.Mark())),
      value(std::move(value_in)) {}

MapReader::MapReader(Context& ctx, const Field& owner, std::span<const std::string_view> allowed)
    : ctx_(ctx), owner_path_(owner.path), owner_key_pos_(owner.key_pos) {
  if (owner.value.IsNull()) {
    is_map_ = true;
    return;
  }
  if (!owner.value.IsMap()) {
    ReportKind(ctx, owner, "a map");
    return;
  }
  is_map_ = true;
  for (const auto& entry : owner.value) {
    const YAML::Node& key_node = entry.first;
    const Position key_pos = PositionOf(key_node.Mark());
    if (!ctx.Visit(ScalarSize(key_node) + ScalarSize(entry.second))) return;
    if (!key_node.IsScalar()) {
      ctx.Error(key_pos, owner.path, std::string("expected a name as key, got ") + std::string(KindName(key_node)));
      continue;
    }
    const std::string& key = key_node.Scalar();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string m = "unknown key \"" + key + "\"";
      if (std::optional<std::string_view> guess = Suggest(key, allowed)) {
        m.append("; did you mean \"").append(*guess).append("\"?");
      } else {
        m.append(".");
      }
      m.append(" Allowed keys: ").append(Join(allowed));
      ctx.Error(key_pos, owner.path, m);
      continue;
    }
    if (const Field* first = Find(key)) {
      ctx.Error(key_pos, owner.path,
                "duplicate key \"" + key + "\" (first at line " + std::to_string(first->key_pos.line) + ")");
      continue;
    }
    index_.emplace(key, fields_.size());
    fields_.emplace_back(key, KeyPath(owner.path, key), key_pos, entry.second);
  }
}

const Field* MapReader::Find(std::string_view key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? nullptr : &fields_[it->second];
}

const Field* MapReader::Require(std::string_view key) const {
  const Field* f = Find(key);
  if (f == nullptr && is_map_) {
    ctx_.Error(owner_key_pos_, owner_path_, "missing required key \"" + std::string(key) + "\"");
  }
  return f;
}

std::vector<Field> ListItems(Context& ctx, const Field& owner) {
  std::vector<Field> items;
  if (owner.value.IsNull()) return items;
  if (!owner.value.IsSequence()) {
    ReportKind(ctx, owner, "a list");
    return items;
  }
  for (const YAML::Node& item : owner.value) {
    const Position pos = item.IsNull() ? owner.pos : PositionOf(item.Mark());
    if (!ctx.Visit(ScalarSize(item))) break;
    items.emplace_back("", owner.path + "[" + std::to_string(items.size()) + "]", pos, item);
  }
  return items;
}

std::optional<std::string> ReadScalar(Context& ctx, const Field& f, std::string_view what) {
  if (!f.value.IsScalar()) {
    ReportKind(ctx, f, what);
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<std::string> ReadString(Context& ctx, const Field& f) {
  std::optional<std::string> raw = ReadScalar(ctx, f, "a string");
  if (!raw) return std::nullopt;
  Result<std::string> expanded = ExpandEnv(*raw, ctx.env());
  if (!expanded.ok()) {
    f.Error(ctx, expanded.status().message());
    return std::nullopt;
  }
  return std::move(expanded).value();
}

std::optional<bool> ReadBool(Context& ctx, const Field& f) {
  std::optional<std::string> raw = ReadScalar(ctx, f, "true or false");
  if (!raw) return std::nullopt;
  if (*raw == "true" || *raw == "True" || *raw == "TRUE") return true;
  if (*raw == "false" || *raw == "False" || *raw == "FALSE") return false;
  f.Error(ctx, "expected true or false, got \"" + *raw + "\"");
  return std::nullopt;
}

std::optional<int64_t> ReadSizeBytes(Context& ctx, const Field& f) {
  std::optional<std::string> raw = ReadScalar(ctx, f, "a size");
  if (!raw) return std::nullopt;
  Result<int64_t> bytes = ParseSizeBytes(*raw);
  if (!bytes.ok()) {
    f.Error(ctx, bytes.status().message());
    return std::nullopt;
  }
  return *bytes;
}

std::optional<int64_t> ReadDurationMs(Context& ctx, const Field& f) {
  std::optional<std::string> raw = ReadScalar(ctx, f, "a duration");
  if (!raw) return std::nullopt;
  Result<int64_t> ms = ParseDurationMs(*raw);
  if (!ms.ok()) {
    f.Error(ctx, ms.status().message());
    return std::nullopt;
  }
  return *ms;
}

std::optional<int64_t> ReadDurationS(Context& ctx, const Field& f) {
  std::optional<int64_t> ms = ReadDurationMs(ctx, f);
  if (!ms) return std::nullopt;
  if (*ms % 1000 != 0) {
    f.Error(ctx, "\"" + f.value.Scalar() + "\" is not a whole number of seconds");
    return std::nullopt;
  }
  return *ms / 1000;
}

std::optional<int64_t> ReadInt(Context& ctx, const Field& f) {
  std::optional<std::string> raw = ReadScalar(ctx, f, "an integer");
  if (!raw) return std::nullopt;
  const std::string& text = *raw;
  // from_chars takes no leading '+'; YAML integers may have one.
  const size_t skip = !text.empty() && text.front() == '+' ? 1 : 0;
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data() + skip, end, value);
  if (ec == std::errc::result_out_of_range) {
    f.Error(ctx, "\"" + text + "\" is too large");
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != end || text.empty()) {
    f.Error(ctx, "expected an integer, got \"" + text + "\"");
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseNumber(std::string_view text) {
  const size_t skip = !text.empty() && text.front() == '+' ? 1 : 0;
  double value = 0;
  const char* end = text.data() + text.size();
  // chars_format::general: decimal and exponent forms only, no hexadecimal.
  const auto [ptr, ec] = std::from_chars(text.data() + skip, end, value, std::chars_format::general);
  if (ec != std::errc() || ptr != end || text.size() == skip || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<double> ReadNumber(Context& ctx, const Field& f) {
  std::optional<std::string> raw = ReadScalar(ctx, f, "a number");
  if (!raw) return std::nullopt;
  std::optional<double> value = ParseNumber(*raw);
  if (!value) f.Error(ctx, "expected a number, got \"" + *raw + "\"");
  return value;
}

std::string ReadPath(Context& ctx, const Field& f) {
  std::optional<std::string> path = ReadString(ctx, f);
  if (!path) return {};
  if (path->empty() || path->front() != '/') {
    f.Error(ctx, "\"" + f.value.Scalar() + "\" is not an absolute path");
    return {};
  }
  if (path->find('\0') != std::string::npos) {
    f.Error(ctx, "\"" + f.value.Scalar() + "\" contains a NUL character");
    return {};
  }
  return std::move(*path);
}

namespace {

void ReportOutOfRange(Context& ctx, const Field& f, std::string_view range, std::string_view why) {
  std::string m = "\"" + f.value.Scalar() + "\" is out of range: must be ";
  m.append(range);
  if (!why.empty()) m.append(" (").append(why).append(")");
  f.Error(ctx, m);
}

}  // namespace

bool CheckRange(Context& ctx, const Field& f, int64_t value, int64_t min, int64_t max,
                std::string_view range, std::string_view why) {
  if (value >= min && value <= max) return true;
  ReportOutOfRange(ctx, f, range, why);
  return false;
}

bool CheckRange(Context& ctx, const Field& f, double value, double min, double max,
                std::string_view range, std::string_view why) {
  if (value >= min && value <= max) return true;
  ReportOutOfRange(ctx, f, range, why);
  return false;
}

bool IsValidName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxNameLength;
  for (char c : name) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '-');
  }
  return ok;
}

void CheckName(Context& ctx, const Field& f, std::string_view what, std::string_view why) {
  if (IsValidName(f.key)) return;
  std::string m(what);
  m.append(" name \"").append(f.key).append("\" is not allowed: use 1 to ");
  m.append(std::to_string(kMaxNameLength)).append(" letters, digits, _ or - (").append(why).append(")");
  f.KeyError(ctx, m);
}

bool IsEmptyList(const Field& f) { return f.value.IsNull() || (f.value.IsSequence() && f.value.size() == 0); }
bool IsEmptyMap(const Field& f) { return f.value.IsNull() || (f.value.IsMap() && f.value.size() == 0); }

std::string ReadExistingPath(Context& ctx, const Field& f, bool directory) {
  std::string path = ReadPath(ctx, f);
  if (path.empty()) return path;
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  const std::string quoted = "\"" + f.value.Scalar() + "\"";
  if (!std::filesystem::exists(status)) {
    f.Error(ctx, quoted + " does not exist");
  } else if (directory && !std::filesystem::is_directory(status)) {
    f.Error(ctx, quoted + " is not a directory");
  } else if (!directory && !std::filesystem::is_regular_file(status)) {
    f.Error(ctx, quoted + " is not a file");
  } else if (::access(path.c_str(), directory ? R_OK | X_OK : R_OK) != 0) {
    f.Error(ctx, quoted + " cannot be read by this user");
  } else {
    return path;
  }
  return {};
}

}  // namespace sightline::config
