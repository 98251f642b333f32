#pragma once
// Result<T>: a T or a non-OK Status, shaped like C++23 std::expected.
// `return value;` and `return status;` both convert. Accessing value() of an error is a bug
// (checked with assert).

#include <cassert>
#include <utility>
#include <variant>

#include "base/status.h"

namespace sightline {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : v_(value) {}                     // NOLINT: implicit by design
  Result(T&& value) : v_(std::move(value)) {}               // NOLINT
  Result(Status status) : v_(std::move(status)) {          // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status");
  }
  template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Status> &&
             !std::is_same_v<std::decay_t<U>, Result<T>>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // OK if this holds a value.
  Status status() const& { return ok() ? Status() : std::get<Status>(v_); }
  Status status() && { return ok() ? Status() : std::move(std::get<Status>(v_)); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& { return ok() ? value() : T(std::forward<U>(fallback)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sightline
