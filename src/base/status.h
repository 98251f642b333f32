#pragma once
// Status: the result of an operation that can fail, with a code, a message and a chain of
// context added by each layer on the way up ("camera=front: DESCRIBE: SDP line 4: bad m= line").
// Errors are values; exceptions are for bugs only. Cheap to move, value semantics.

#include <ostream>
#include <string>
#include <string_view>

namespace sightline {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input: malformed bytes, bad config, bad flag
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,    // e.g. RTSP 401 after trying our credentials
  kResourceExhausted,  // limits: sizes, queues, disk
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kUnimplemented,      // valid input we do not support (e.g. an unknown codec)
  kInternal,
  kUnavailable,        // transient: connection refused/reset, timeout; retry may help
  kDataLoss,
  kDeadlineExceeded,
  kCancelled,
  kIoError,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The message including the context chain, outermost context first.
  const std::string& message() const { return message_; }

  // Prepends context: "ctx: message". No-op on an OK status.
  Status& AddContext(std::string_view ctx) &;
  Status&& WithContext(std::string_view ctx) &&;

  // "INVALID_ARGUMENT: ctx: message", or "OK".
  std::string ToString() const;

  // Marks an error deliberately dropped (e.g. best-effort cleanup).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnauthenticatedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status FailedPreconditionError(std::string message);
Status OutOfRangeError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status DeadlineExceededError(std::string message);
Status CancelledError(std::string message);
Status IoError(std::string message);
// An IoError naming the operation, the object and strerror(errno_value).
Status ErrnoError(std::string_view what, int errno_value);

}  // namespace sightline

#define SL_STATUS_CONCAT_INNER_(a, b) a##b
#define SL_STATUS_CONCAT_(a, b) SL_STATUS_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    ::sightline::Status sl_status_ = (expr);                    \
    if (!sl_status_.ok()) return sl_status_;                    \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` or `ASSIGN_OR_RETURN(x, F());`: unwraps a Result or
// returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  SL_ASSIGN_OR_RETURN_IMPL_(SL_STATUS_CONCAT_(sl_result_, __LINE__), lhs, expr)
#define SL_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                              \
  if (!result.ok()) return std::move(result).status(); \
  lhs = std::move(result).value()
