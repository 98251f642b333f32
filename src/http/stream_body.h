#pragma once
// Response work done on an executor the handler chooses (a pool of its own) instead of the
// server's blocking pool, for long jobs such as an export: the server's pool stays free for
// the API, playback and file serving (README.md "Threads").
//
// - DeferredResponse: the handler answers at once with `Response::Deferred(...)`; the server
//   then runs `make` on `executor` and sends what it returns (which may carry a StreamBody).
// - StreamBody: a body of a length known up front (sent as Content-Length) whose bytes are
//   made while they are sent. The server asks for the next bytes only after it wrote the
//   previous ones, so memory stays at one chunk and a client that stops reading stops the
//   producer too (write_timeout then ends the connection).
//
// Threads: `make` and `next` run on their `executor`, one call at a time per response, and
// may block; the connection waits for them without holding a network thread. Lifetime: the
// server destroys the Response (with whatever `make` and `next` captured) once the connection
// has finished with it: after the last byte, a write error or an abort. The executor must
// outlive every connection that uses it.

#include <cstdint>
#include <functional>

#include <boost/asio/any_io_executor.hpp>

#include "base/bytes.h"
#include "base/result.h"
#include "http/request.h"

namespace sightline::http {

struct StreamBody {
  uint64_t length = 0;  // exactly this many bytes follow the header
  // The next bytes, non-empty, until `length` were returned. An error, or bytes beyond
  // `length`, drops the connection: the status line is out, so the client sees a body cut
  // short of its Content-Length. Response::content_type gives the type.
  std::function<Result<Bytes>()> next;
  boost::asio::any_io_executor executor;
};

struct DeferredResponse {
  // Called once; an exception becomes a 500.
  std::function<Response()> make;
  boost::asio::any_io_executor executor;
};

}  // namespace sightline::http
