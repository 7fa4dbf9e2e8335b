// Result<T>: a T or the Status that explains why there is none. Never holds an OK status without a
// value.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "base/status.h"

namespace consulate {

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

#define CONSULATE_CONCAT_INNER(a, b) a##b
#define CONSULATE_CONCAT(a, b) CONSULATE_CONCAT_INNER(a, b)
// `CONSULATE_ASSIGN_OR_RETURN(auto x, Foo());` returns Foo()'s status when it failed.
#define CONSULATE_ASSIGN_OR_RETURN(lhs, expr)                                                     \
  auto CONSULATE_CONCAT(_res_, __LINE__) = (expr);                                                \
  if (!CONSULATE_CONCAT(_res_, __LINE__).ok()) return CONSULATE_CONCAT(_res_, __LINE__).status(); \
  lhs = std::move(CONSULATE_CONCAT(_res_, __LINE__)).value()

}  // namespace consulate
