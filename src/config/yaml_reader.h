#pragma once
// The config parser's view of a yaml-cpp tree: maps checked against a table of allowed keys,
// lists, and typed scalar reads. Every problem goes to Diagnostics with its position and key
// path ("cameras.front.streams.main.transport"), and reading goes on, so one pass finds all of
// them. Uses only yaml-cpp calls that do not throw on the valid nodes it is given.
// One Context per parse; not thread-safe.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/env.h"

namespace sightline::config {

class Context {
 public:
  // Map entries and list items visited at most, and the bytes of their scalar keys and values.
  // Aliases let a small file name one large node many times, so the work and the memory are
  // bounded by these rather than by the size of the file.
  static constexpr int64_t kMaxVisits = 100000;
  static constexpr int64_t kMaxTextBytes = int64_t{16} << 20;

  Context(Diagnostics& diag, const EnvLookup& env) : diag_(diag), env_(env) {}

  // Reports "PATH: message" at `pos` ("message" alone when `path` is empty). Dropped once the
  // budget is spent: the walk then stops early and would report what it skipped.
  void Error(Position pos, std::string_view path, std::string_view message);
  // Counts one visited entry with `text_bytes` of scalars; false once the budget is spent
  // (reported once, at 1:1).
  bool Visit(size_t text_bytes);
  const EnvLookup& env() const { return env_; }

 private:
  Diagnostics& diag_;
  const EnvLookup& env_;
  int64_t visits_ = 0;
  int64_t text_bytes_ = 0;
  bool exhausted_ = false;
};

// 1-based; 1:1 for yaml-cpp's null mark.
Position PositionOf(const YAML::Mark& mark);

// The one YAML document in `text` (a null node when there is none), or nullopt after reporting
// a syntax error, nesting too deep for yaml-cpp, or a second document. Catches yaml-cpp's
// exceptions.
std::optional<YAML::Node> LoadDocument(const std::string& text, Diagnostics& diag);

// One value of the tree with the place it came from: a map entry, a list item or the document.
struct Field {
  Field(std::string key, std::string path, Position key_pos, YAML::Node value);

  void Error(Context& ctx, std::string_view message) const { ctx.Error(pos, path, message); }
  void KeyError(Context& ctx, std::string_view message) const { ctx.Error(key_pos, path, message); }

  std::string key;   // the map key; empty for list items and the document
  std::string path;  // dotted keys and [index]es from the top; empty for the document
  Position key_pos;  // the key; the item itself for list items
  Position pos;      // the value; key_pos when the value is empty (yaml-cpp marks it elsewhere)
  YAML::Node value;
};

class MapReader {
 public:
  // Reads `owner.value` as a map; empty (no error) when the value is empty. Reports a value of
  // another kind, keys that are not plain names, duplicate keys (the first one is kept) and,
  // unless `allowed` is empty (maps keyed by user-chosen names), keys not in `allowed`.
  MapReader(Context& ctx, const Field& owner, std::span<const std::string_view> allowed);

  // False when the value was of another kind (already reported).
  bool is_map() const { return is_map_; }
  // File order.
  const std::vector<Field>& fields() const { return fields_; }
  const Field* Find(std::string_view key) const;
  // Find, reporting a missing key at the owner's key (unless the owner was not a map at all,
  // which is already reported).
  const Field* Require(std::string_view key) const;

 private:
  Context& ctx_;
  std::string owner_path_;
  Position owner_key_pos_;
  bool is_map_ = false;
  std::vector<Field> fields_;
  std::map<std::string, size_t, std::less<>> index_;  // key -> position in fields_
};

// Reads `owner.value` as a list; empty (no error) when the value is empty.
std::vector<Field> ListItems(Context& ctx, const Field& owner);

// Each reader returns nullopt after reporting a problem with the value.
// The text of a scalar; `what` names the expected value in the message ("a string").
std::optional<std::string> ReadScalar(Context& ctx, const Field& f, std::string_view what);
// A string with ${NAME} expanded (see env.h).
std::optional<std::string> ReadString(Context& ctx, const Field& f);
// true/True/TRUE/false/False/FALSE (YAML 1.2 core schema; not yes/no/on/off).
std::optional<bool> ReadBool(Context& ctx, const Field& f);
std::optional<int64_t> ReadSizeBytes(Context& ctx, const Field& f);
std::optional<int64_t> ReadDurationMs(Context& ctx, const Field& f);
// A duration that must be a whole number of seconds.
std::optional<int64_t> ReadDurationS(Context& ctx, const Field& f);
// An integer in decimal, optionally signed ("25", "-3").
std::optional<int64_t> ReadInt(Context& ctx, const Field& f);
// A finite decimal number ("0.25", "1", "5e-4"); not inf, nan or hexadecimal.
std::optional<double> ReadNumber(Context& ctx, const Field& f);
// A finite decimal number parsed from text (what ReadNumber and polygon strings accept).
std::optional<double> ParseNumber(std::string_view text);
// An absolute path with ${NAME} expanded; empty after reporting a problem. Messages quote the
// text as written, before expansion.
std::string ReadPath(Context& ctx, const Field& f);
// ReadPath of an existing file (or, with `directory`, directory) this user can read; empty
// after reporting what is wrong.
std::string ReadExistingPath(Context& ctx, const Field& f, bool directory);

// Reports "\"VALUE\" is out of range: must be RANGE (WHY)" at the value unless min <= value <= max.
// Returns whether the value was in range.
bool CheckRange(Context& ctx, const Field& f, int64_t value, int64_t min, int64_t max,
                std::string_view range, std::string_view why);
bool CheckRange(Context& ctx, const Field& f, double value, double min, double max,
                std::string_view range, std::string_view why);

// A map key chosen by the user (a camera, stream or zone name): 1 to 64 of A-Z a-z 0-9 _ -.
inline constexpr size_t kMaxNameLength = 64;
bool IsValidName(std::string_view name);
// Reports a key that is not IsValidName. `what` names it in the message ("camera"), `why` says
// why the rule exists.
void CheckName(Context& ctx, const Field& f, std::string_view what, std::string_view why);

// An empty value or an empty list/map: "no X" errors. Entries that were all invalid are not
// "no X" (their own errors say what is wrong), nor is a value of the wrong kind.
bool IsEmptyList(const Field& f);
bool IsEmptyMap(const Field& f);

}  // namespace sightline::config
