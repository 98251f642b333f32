#include "http/request.h"

#include <algorithm>
#include <cstdio>

namespace sightline::http {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

}  // namespace

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [name](const auto& f) { return EqualsIgnoreCase(f.first, name); });
}

bool Headers::Has(std::string_view name) const { return Find(name).has_value(); }

std::string_view Headers::Get(std::string_view name) const { return Find(name).value_or(""); }

std::optional<std::string_view> Headers::Find(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::string Request::Query(std::string_view name, std::string_view fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string(fallback) : it->second;
}

std::vector<std::string> Request::QueryAll(std::string_view name) const {
  std::vector<std::string> out;
  auto [begin, end] = query.equal_range(std::string(name));
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

bool Request::HasQuery(std::string_view name) const { return query.count(std::string(name)) != 0; }

std::string Request::Cookie(std::string_view name) const {
  auto it = cookies.find(std::string(name));
  return it == cookies.end() ? std::string() : it->second;
}

std::string Request::Param(std::string_view name) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string() : it->second;
}

Response Response::Json(int status, std::string json) {
  Response r;
  r.status = status;
  r.body = std::move(json);
  r.content_type = "application/json";
  return r;
}

Response Response::Text(int status, std::string text) {
  Response r;
  r.status = status;
  r.body = std::move(text);
  r.content_type = "text/plain; charset=utf-8";
  return r;
}

Response Response::Html(int status, std::string html) {
  Response r;
  r.status = status;
  r.body = std::move(html);
  r.content_type = "text/html; charset=utf-8";
  return r;
}

Response Response::Error(int status, std::string_view message) {
  return Json(status, "{\"error\":" + JsonQuote(message) + "}");
}

Response Response::File(FileBody file) {
  Response r;
  r.file = std::move(file);
  return r;
}

Response Response::Deferred(std::shared_ptr<DeferredResponse> deferred) {
  Response r;
  r.deferred = std::move(deferred);
  return r;
}

Response Response::Empty(int status) {
  Response r;
  r.status = status;
  return r;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace sightline::http
