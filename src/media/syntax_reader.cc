#include "media/syntax_reader.h"

namespace sightline::media {

Status SyntaxReader::ErrorAt(size_t bit, std::string_view element, std::string_view what) const {
  std::string message = structure_;
  message += ": ";
  message += element;
  message += " at bit ";
  message += std::to_string(bit);
  message += ": ";
  message += what;
  return InvalidArgumentError(std::move(message));
}

Status SyntaxReader::Error(std::string_view element, std::string_view what) const {
  return ErrorAt(bits_.bit_position(), element, what);
}

Status SyntaxReader::U(int n, std::string_view element, uint32_t* v) {
  const size_t at = bits_.bit_position();
  if (!bits_.ReadBits(n, v)) return ErrorAt(at, element, "truncated");
  return Status::Ok();
}

Status SyntaxReader::Flag(std::string_view element, bool* v) {
  const size_t at = bits_.bit_position();
  if (!bits_.ReadFlag(v)) return ErrorAt(at, element, "truncated");
  return Status::Ok();
}

Status SyntaxReader::Ue(std::string_view element, uint32_t max, uint32_t* v) {
  const size_t at = bits_.bit_position();
  if (!bits_.ReadUe(v)) return ErrorAt(at, element, "truncated or longer than 32 bits");
  if (*v > max) {
    return ErrorAt(at, element,
                   "value " + std::to_string(*v) + " above its maximum " + std::to_string(max));
  }
  return Status::Ok();
}

Status SyntaxReader::Se(std::string_view element, int32_t min, int32_t max, int32_t* v) {
  const size_t at = bits_.bit_position();
  if (!bits_.ReadSe(v)) return ErrorAt(at, element, "truncated or longer than 32 bits");
  if (*v < min || *v > max) {
    return ErrorAt(at, element,
                   "value " + std::to_string(*v) + " outside " + std::to_string(min) + ".." +
                       std::to_string(max));
  }
  return Status::Ok();
}

Status SyntaxReader::Skip(size_t n, std::string_view element) {
  const size_t at = bits_.bit_position();
  if (!bits_.SkipBits(n)) return ErrorAt(at, element, "truncated");
  return Status::Ok();
}

}  // namespace sightline::media
