#include "filter/schema.h"

namespace consulate::filter {

SchemaPtr FieldSchema::String() {
  static const SchemaPtr kString(new FieldSchema(Kind::kString, 0));
  return kString;
}

SchemaPtr FieldSchema::Bool() {
  static const SchemaPtr kBool(new FieldSchema(Kind::kBool, 0));
  return kBool;
}

SchemaPtr FieldSchema::Int(int bits) { return SchemaPtr(new FieldSchema(Kind::kInt, bits)); }
SchemaPtr FieldSchema::Uint(int bits) { return SchemaPtr(new FieldSchema(Kind::kUint, bits)); }
SchemaPtr FieldSchema::Float(int bits) { return SchemaPtr(new FieldSchema(Kind::kFloat, bits)); }

SchemaPtr FieldSchema::List(SchemaPtr element) {
  auto* s = new FieldSchema(Kind::kList, 0);
  s->element_ = std::move(element);
  return SchemaPtr(s);
}

SchemaPtr FieldSchema::Map(SchemaPtr value) {
  auto* s = new FieldSchema(Kind::kMap, 0);
  s->element_ = std::move(value);
  return SchemaPtr(s);
}

SchemaPtr FieldSchema::Struct(std::vector<Field> fields) {
  auto* s = new FieldSchema(Kind::kStruct, 0);
  for (Field& f : fields) {
    if (f.json_key.empty()) f.json_key = f.name;
  }
  s->fields_ = std::move(fields);
  return SchemaPtr(s);
}

const FieldSchema::Field* FieldSchema::FindField(std::string_view name) const {
  for (const Field& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FieldSchema* FieldSchema::Step(std::string_view name) const {
  switch (kind_) {
    case Kind::kStruct: {
      const Field* f = FindField(name);
      return f ? f->schema.get() : nullptr;
    }
    case Kind::kMap:
      return element_.get();
    case Kind::kList:
      // A list of primitives has no sub-selectors; any other list exposes its element's.
      return element_->IsPrimitive() ? nullptr : element_->Step(name);
    default:
      return nullptr;
  }
}

}  // namespace consulate::filter
