// The shape of the data a filter runs against: the C++ stand-in for the Go types bexpr reflects
// over. A schema decides which selectors exist, which operators each supports and how a value
// written in the expression is converted (coerced) before comparing, exactly as bexpr derives
// them from Go struct, map, slice and primitive types:
//
//   kind                   operators                                    coercion sub-selectors
//   string                 == != in not-in matches not-matches          none           -
//   bool, int, uint, float == !=                                        Go strconv     -
//   list of a primitive    in not-in (on elements) is-empty             element's      -
//   list of anything else  is-empty                                     none           the
//   element's map (string keys)      in not-in (on keys) is-empty                 none any key ->
//   value struct                 (none)                                       -              its
//   fields
//
// Field names are matched case-sensitively, as bexpr matches Go field names. A field may read a
// differently named JSON key (`json_key`), for the few Consul types whose JSON and Go names differ.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace consulate::filter {

class FieldSchema;
using SchemaPtr = std::shared_ptr<const FieldSchema>;

class FieldSchema {
 public:
  enum class Kind { kString, kBool, kInt, kUint, kFloat, kList, kMap, kStruct };

  struct Field {
    std::string name;      // the selector name (bexpr: the Go field name or its bexpr tag)
    std::string json_key;  // the key read from JSON; empty means `name`
    SchemaPtr schema;
  };

  static SchemaPtr String();
  static SchemaPtr Bool();
  // bits: 8, 16, 32 or 64 (Go's int is 64 bits on Consul's platforms).
  static SchemaPtr Int(int bits = 64);
  static SchemaPtr Uint(int bits = 64);
  static SchemaPtr Float(int bits = 64);
  static SchemaPtr List(SchemaPtr element);
  static SchemaPtr Map(SchemaPtr value);  // keys are strings
  static SchemaPtr Struct(std::vector<Field> fields);

  Kind kind() const { return kind_; }
  int bits() const { return bits_; }
  bool IsPrimitive() const { return kind_ <= Kind::kFloat; }
  // kList: the element; kMap: the value.
  const FieldSchema& element() const { return *element_; }
  const std::vector<Field>& fields() const { return fields_; }
  const Field* FindField(std::string_view name) const;

  // What a selector step may reach from here, as bexpr's FieldConfiguration.SubFields: a struct's
  // fields, any key of a map, or (through a list of non-primitives) the element's sub-selectors.
  // Returns the schema reached by `name`, or nullptr when the step is not valid.
  const FieldSchema* Step(std::string_view name) const;

 private:
  FieldSchema(Kind kind, int bits) : kind_(kind), bits_(bits) {}
  Kind kind_;
  int bits_ = 0;
  SchemaPtr element_;
  std::vector<Field> fields_;
};

}  // namespace consulate::filter
