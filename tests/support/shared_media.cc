#include "support/shared_media.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace sightline::testing {
namespace {

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

}  // namespace

std::optional<std::string> SharedMediaDir() {
  if (const char* env = std::getenv("SIGHTLINE_SHARED_MEDIA"); env != nullptr && *env != '\0') {
    if (IsDirectory(env)) return std::string(env);
    return std::nullopt;  // an explicit setting that is wrong must not silently fall back
  }
  const std::filesystem::path beside =
      std::filesystem::path(SIGHTLINE_SOURCE_DIR).parent_path() / "shared" / "media";
  if (IsDirectory(beside.string())) return beside.lexically_normal().string();
  return std::nullopt;
}

std::optional<std::string> SharedMediaFile(std::string_view name) {
  std::optional<std::string> dir = SharedMediaDir();
  if (!dir) return std::nullopt;
  const std::filesystem::path file = std::filesystem::path(*dir) / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  return file.string();
}

}  // namespace sightline::testing
