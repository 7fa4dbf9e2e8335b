#include "gossip/serf_messages.h"

#include <fmt/format.h>

namespace consulate::gossip::serf {

using msgpack::Get;
using msgpack::StructWriter;
using msgpack::Value;
using msgpack::Writer;

namespace {

// A Go []string: nil when empty unless `empty_as_array` (serf builds some with make()).
void WriteStrings(const std::vector<std::string>& v, Writer w, bool empty_as_array) {
  if (v.empty() && !empty_as_array) return w.Nil();
  w.ArrayHeader(static_cast<uint32_t>(v.size()));
  for (const auto& s : v) w.Str(s);
}

Status GetStrings(const Value& v, std::vector<std::string>* out, std::string_view what) {
  out->clear();
  if (v.is_nil()) return Status::OK();
  if (v.type != Value::Type::kArray)
    return Status::Corruption(fmt::format("{}: expected an array", what));
  out->resize(v.array.size());
  for (size_t i = 0; i < v.array.size(); ++i)
    CONSULATE_RETURN_IF_ERROR(Get(v.array[i], &(*out)[i], what));
  return Status::OK();
}

// A Go map[string]string; nil when empty (Go's zero map) unless `empty_as_map`.
void WriteStringMap(const std::map<std::string, std::string>& m, Writer w, bool empty_as_map) {
  if (m.empty() && !empty_as_map) return w.Nil();
  w.MapHeader(static_cast<uint32_t>(m.size()));
  for (const auto& [k, v] : m) {
    w.Str(k);
    w.Str(v);
  }
}

Status GetStringMap(const Value& v, std::map<std::string, std::string>* out,
                    std::string_view what) {
  out->clear();
  if (v.is_nil()) return Status::OK();
  if (v.type != Value::Type::kMap)
    return Status::Corruption(fmt::format("{}: expected a map", what));
  for (const auto& [k, e] : v.map) {
    std::string key, value;
    CONSULATE_RETURN_IF_ERROR(Get(k, &key, what));
    CONSULATE_RETURN_IF_ERROR(Get(e, &value, what));
    (*out)[std::move(key)] = std::move(value);  // Go: a repeated key overwrites
  }
  return Status::OK();
}

void EncodeUserEvents(const UserEvents& e, Writer* w) {
  StructWriter s(w);
  s.Field("LTime").Uint(e.ltime);
  Writer events = s.Field("Events");
  if (e.events.empty()) {
    events.Nil();
  } else {
    events.ArrayHeader(static_cast<uint32_t>(e.events.size()));
    for (const auto& ev : e.events) {
      StructWriter es(&events);
      es.Field("Name").Str(ev.name);
      es.Field("Payload").Bytes(ev.payload);
      es.Finish();
    }
  }
  s.Finish();
}

Status DecodeUserEvents(const Value& v, UserEvents* out) {
  *out = UserEvents();
  return msgpack::DecodeStruct(
      v, "userEvents", [out](std::string_view name, const Value& f) -> Status {
        if (name == "LTime") return Get(f, &out->ltime, "userEvents.LTime");
        if (name != "Events" || f.is_nil()) return Status::OK();
        if (f.type != Value::Type::kArray)
          return Status::Corruption("userEvents.Events: expected an array");
        out->events.resize(f.array.size());
        for (size_t i = 0; i < f.array.size(); ++i) {
          UserEvent* ev = &out->events[i];
          CONSULATE_RETURN_IF_ERROR(msgpack::DecodeStruct(
              f.array[i], "userEvent", [ev](std::string_view n, const Value& x) -> Status {
                if (n == "Name") return Get(x, &ev->name, "userEvent.Name");
                if (n == "Payload") return Get(x, &ev->payload, "userEvent.Payload");
                return Status::OK();
              }));
        }
        return Status::OK();
      });
}

}  // namespace

// ----- Encoding -----

void EncodeBody(const JoinIntent& m, Writer* w) {
  StructWriter s(w);
  s.Field("LTime").Uint(m.ltime);
  s.Field("Node").Str(m.node);
  s.Finish();
}

void EncodeBody(const LeaveIntent& m, Writer* w) {
  StructWriter s(w);
  s.Field("LTime").Uint(m.ltime);
  s.Field("Node").Str(m.node);
  s.Field("Prune").Bool(m.prune);
  s.Finish();
}

void EncodeBody(const UserEventMessage& m, Writer* w) {
  StructWriter s(w);
  s.Field("LTime").Uint(m.ltime);
  s.Field("Name").Str(m.name);
  s.Field("Payload").Bytes(m.payload);
  s.Field("CC").Bool(m.cc);
  s.Finish();
}

void EncodeBody(const SerfPushPull& m, Writer* w) {
  StructWriter s(w);
  s.Field("LTime").Uint(m.ltime);
  Writer st = s.Field("StatusLTimes");
  // serf builds StatusLTimes and LeftMembers with make(): never nil.
  st.MapHeader(static_cast<uint32_t>(m.status_ltimes.size()));
  for (const auto& [node, t] : m.status_ltimes) {
    st.Str(node);
    st.Uint(t);
  }
  WriteStrings(m.left_members, s.Field("LeftMembers"), /*empty_as_array=*/true);
  s.Field("EventLTime").Uint(m.event_ltime);
  Writer ev = s.Field("Events");
  ev.ArrayHeader(static_cast<uint32_t>(m.events.size()));
  for (const auto& slot : m.events) {
    if (slot) {
      EncodeUserEvents(*slot, &ev);
    } else {
      ev.Nil();
    }
  }
  s.Field("QueryLTime").Uint(m.query_ltime);
  s.Finish();
}

void EncodeBody(const QueryMessage& m, Writer* w) {
  StructWriter s(w);
  s.Field("LTime").Uint(m.ltime);
  s.Field("ID").Uint(m.id);
  s.Field("Addr").Bytes(m.addr);
  s.Field("Port").Uint(m.port);
  s.Field("SourceNode").Str(m.source_node);
  Writer f = s.Field("Filters");
  if (m.filters.empty()) {
    f.Nil();
  } else {
    f.ArrayHeader(static_cast<uint32_t>(m.filters.size()));
    for (const auto& filter : m.filters) f.Raw(filter);
  }
  s.Field("Flags").Uint(m.flags);
  s.Field("RelayFactor").Uint(m.relay_factor);
  s.Field("Timeout").Int(m.timeout_ns);
  s.Field("Name").Str(m.name);
  s.Field("Payload").Bytes(m.payload);
  s.Finish();
}

void EncodeBody(const QueryResponseMessage& m, Writer* w) {
  StructWriter s(w);
  s.Field("LTime").Uint(m.ltime);
  s.Field("ID").Uint(m.id);
  s.Field("From").Str(m.from);
  s.Field("Flags").Uint(m.flags);
  s.Field("Payload").Bytes(m.payload);
  s.Finish();
}

void EncodeBody(const KeyRequest& m, Writer* w) {
  StructWriter s(w);
  s.Field("Key").Bytes(m.key);
  s.Finish();
}

void EncodeBody(const KeyResponse& m, Writer* w) {
  StructWriter s(w);
  s.Field("Result").Bool(m.result);
  s.Field("Message").Str(m.message);
  WriteStrings(m.keys, s.Field("Keys"), /*empty_as_array=*/false);
  s.Field("PrimaryKey").Str(m.primary_key);
  s.Finish();
}

void EncodeBody(const Member& m, Writer* w) {
  StructWriter s(w);
  s.Field("Name").Str(m.name);
  s.Field("Addr").Bytes(m.addr);
  s.Field("Port").Uint(m.port);
  WriteStringMap(m.tags, s.Field("Tags"), /*empty_as_map=*/true);
  s.Field("Status").Int(m.status);
  s.Field("ProtocolMin").Uint(m.protocol_min);
  s.Field("ProtocolMax").Uint(m.protocol_max);
  s.Field("ProtocolCur").Uint(m.protocol_cur);
  s.Field("DelegateMin").Uint(m.delegate_min);
  s.Field("DelegateMax").Uint(m.delegate_max);
  s.Field("DelegateCur").Uint(m.delegate_cur);
  s.Finish();
}

void EncodeBody(const Coordinate& m, Writer* w) {
  StructWriter s(w);
  Writer vec = s.Field("Vec");
  vec.ArrayHeader(static_cast<uint32_t>(m.vec.size()));
  for (double d : m.vec) vec.Float64(d);
  s.Field("Error").Float64(m.error);
  s.Field("Adjustment").Float64(m.adjustment);
  s.Field("Height").Float64(m.height);
  s.Finish();
}

// ----- Decoding -----

Status DecodeBody(const Value& v, JoinIntent* m) {
  *m = JoinIntent();
  return msgpack::DecodeStruct(v, "messageJoin",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "LTime") return Get(f, &m->ltime, "messageJoin.LTime");
                                 if (name == "Node") return Get(f, &m->node, "messageJoin.Node");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, LeaveIntent* m) {
  *m = LeaveIntent();
  return msgpack::DecodeStruct(v, "messageLeave",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "LTime")
                                   return Get(f, &m->ltime, "messageLeave.LTime");
                                 if (name == "Node") return Get(f, &m->node, "messageLeave.Node");
                                 if (name == "Prune")
                                   return Get(f, &m->prune, "messageLeave.Prune");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, UserEventMessage* m) {
  *m = UserEventMessage();
  return msgpack::DecodeStruct(v, "messageUserEvent",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "LTime")
                                   return Get(f, &m->ltime, "messageUserEvent.LTime");
                                 if (name == "Name")
                                   return Get(f, &m->name, "messageUserEvent.Name");
                                 if (name == "Payload")
                                   return Get(f, &m->payload, "messageUserEvent.Payload");
                                 if (name == "CC") return Get(f, &m->cc, "messageUserEvent.CC");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, SerfPushPull* m) {
  *m = SerfPushPull();
  return msgpack::DecodeStruct(
      v, "messagePushPull", [m](std::string_view name, const Value& f) -> Status {
        if (name == "LTime") return Get(f, &m->ltime, "messagePushPull.LTime");
        if (name == "EventLTime") return Get(f, &m->event_ltime, "messagePushPull.EventLTime");
        if (name == "QueryLTime") return Get(f, &m->query_ltime, "messagePushPull.QueryLTime");
        if (name == "LeftMembers")
          return GetStrings(f, &m->left_members, "messagePushPull.LeftMembers");
        if (name == "StatusLTimes") {
          if (f.is_nil()) return Status::OK();
          if (f.type != Value::Type::kMap)
            return Status::Corruption("messagePushPull.StatusLTimes: expected a map");
          for (const auto& [k, t] : f.map) {
            std::string node;
            LamportTime ltime = 0;
            CONSULATE_RETURN_IF_ERROR(Get(k, &node, "messagePushPull.StatusLTimes"));
            CONSULATE_RETURN_IF_ERROR(Get(t, &ltime, "messagePushPull.StatusLTimes"));
            m->status_ltimes[std::move(node)] = ltime;
          }
          return Status::OK();
        }
        if (name == "Events") {
          if (f.is_nil()) return Status::OK();
          if (f.type != Value::Type::kArray)
            return Status::Corruption("messagePushPull.Events: expected an array");
          m->events.resize(f.array.size());
          for (size_t i = 0; i < f.array.size(); ++i) {
            if (f.array[i].is_nil()) continue;
            m->events[i].emplace();
            CONSULATE_RETURN_IF_ERROR(DecodeUserEvents(f.array[i], &*m->events[i]));
          }
          return Status::OK();
        }
        return Status::OK();
      });
}

Status DecodeBody(const Value& v, QueryMessage* m) {
  *m = QueryMessage();
  return msgpack::DecodeStruct(v, "messageQuery",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "LTime")
                                   return Get(f, &m->ltime, "messageQuery.LTime");
                                 if (name == "ID") return Get(f, &m->id, "messageQuery.ID");
                                 if (name == "Addr") return Get(f, &m->addr, "messageQuery.Addr");
                                 if (name == "Port") return Get(f, &m->port, "messageQuery.Port");
                                 if (name == "SourceNode")
                                   return Get(f, &m->source_node, "messageQuery.SourceNode");
                                 if (name == "Filters")
                                   return GetStrings(f, &m->filters, "messageQuery.Filters");
                                 if (name == "Flags")
                                   return Get(f, &m->flags, "messageQuery.Flags");
                                 if (name == "RelayFactor")
                                   return Get(f, &m->relay_factor, "messageQuery.RelayFactor");
                                 if (name == "Timeout")
                                   return Get(f, &m->timeout_ns, "messageQuery.Timeout");
                                 if (name == "Name") return Get(f, &m->name, "messageQuery.Name");
                                 if (name == "Payload")
                                   return Get(f, &m->payload, "messageQuery.Payload");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, QueryResponseMessage* m) {
  *m = QueryResponseMessage();
  return msgpack::DecodeStruct(v, "messageQueryResponse",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "LTime")
                                   return Get(f, &m->ltime, "messageQueryResponse.LTime");
                                 if (name == "ID") return Get(f, &m->id, "messageQueryResponse.ID");
                                 if (name == "From")
                                   return Get(f, &m->from, "messageQueryResponse.From");
                                 if (name == "Flags")
                                   return Get(f, &m->flags, "messageQueryResponse.Flags");
                                 if (name == "Payload")
                                   return Get(f, &m->payload, "messageQueryResponse.Payload");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, KeyRequest* m) {
  *m = KeyRequest();
  return msgpack::DecodeStruct(v, "keyRequest",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "Key") return Get(f, &m->key, "keyRequest.Key");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, KeyResponse* m) {
  *m = KeyResponse();
  return msgpack::DecodeStruct(v, "nodeKeyResponse",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "Result")
                                   return Get(f, &m->result, "nodeKeyResponse.Result");
                                 if (name == "Message")
                                   return Get(f, &m->message, "nodeKeyResponse.Message");
                                 if (name == "Keys")
                                   return GetStrings(f, &m->keys, "nodeKeyResponse.Keys");
                                 if (name == "PrimaryKey")
                                   return Get(f, &m->primary_key, "nodeKeyResponse.PrimaryKey");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, Member* m) {
  *m = Member();
  return msgpack::DecodeStruct(v, "Member", [m](std::string_view name, const Value& f) -> Status {
    if (name == "Name") return Get(f, &m->name, "Member.Name");
    if (name == "Addr") return Get(f, &m->addr, "Member.Addr");
    if (name == "Port") return Get(f, &m->port, "Member.Port");
    if (name == "Tags") return GetStringMap(f, &m->tags, "Member.Tags");
    if (name == "Status") return Get(f, &m->status, "Member.Status");
    if (name == "ProtocolMin") return Get(f, &m->protocol_min, "Member.ProtocolMin");
    if (name == "ProtocolMax") return Get(f, &m->protocol_max, "Member.ProtocolMax");
    if (name == "ProtocolCur") return Get(f, &m->protocol_cur, "Member.ProtocolCur");
    if (name == "DelegateMin") return Get(f, &m->delegate_min, "Member.DelegateMin");
    if (name == "DelegateMax") return Get(f, &m->delegate_max, "Member.DelegateMax");
    if (name == "DelegateCur") return Get(f, &m->delegate_cur, "Member.DelegateCur");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, Coordinate* m) {
  *m = Coordinate();
  return msgpack::DecodeStruct(
      v, "Coordinate", [m](std::string_view name, const Value& f) -> Status {
        if (name == "Error") return Get(f, &m->error, "Coordinate.Error");
        if (name == "Adjustment") return Get(f, &m->adjustment, "Coordinate.Adjustment");
        if (name == "Height") return Get(f, &m->height, "Coordinate.Height");
        if (name != "Vec" || f.is_nil()) return Status::OK();
        if (f.type != Value::Type::kArray)
          return Status::Corruption("Coordinate.Vec: expected an array");
        m->vec.resize(f.array.size());
        for (size_t i = 0; i < f.array.size(); ++i)
          CONSULATE_RETURN_IF_ERROR(Get(f.array[i], &m->vec[i], "Coordinate.Vec"));
        return Status::OK();
      });
}

// ----- Relay -----

std::string EncodeRelay(const RelayHeader& header, std::string_view inner) {
  std::string out(1, static_cast<char>(SerfMessageType::kRelay));
  Writer w(&out);
  StructWriter s(&w);
  Writer addr = s.Field("DestAddr");
  StructWriter a(&addr);
  a.Field("IP").Bytes(header.dest_ip);
  a.Field("Port").Int(header.dest_port);
  a.Field("Zone").Str(header.dest_zone);
  a.Finish();
  s.Field("DestName").Str(header.dest_name);
  s.Finish();
  out.append(inner);
  return out;
}

Status DecodeRelay(std::string_view body, RelayHeader* header, std::string_view* inner) {
  *header = RelayHeader();
  Value v;
  CONSULATE_RETURN_IF_ERROR(msgpack::Decode(&body, &v));
  CONSULATE_RETURN_IF_ERROR(msgpack::DecodeStruct(
      v, "relayHeader", [header](std::string_view name, const Value& f) -> Status {
        if (name == "DestName") return Get(f, &header->dest_name, "relayHeader.DestName");
        if (name != "DestAddr") return Status::OK();
        return msgpack::DecodeStruct(f, "relayHeader.DestAddr",
                                     [header](std::string_view n, const Value& x) -> Status {
                                       if (n == "IP") return Get(x, &header->dest_ip, "UDPAddr.IP");
                                       if (n == "Port")
                                         return Get(x, &header->dest_port, "UDPAddr.Port");
                                       if (n == "Zone")
                                         return Get(x, &header->dest_zone, "UDPAddr.Zone");
                                       return Status::OK();
                                     });
      }));
  *inner = body;
  return Status::OK();
}

// ----- Tags -----

std::string EncodeTags(const std::map<std::string, std::string>& tags) {
  std::string out(1, static_cast<char>(kTagMagicByte));
  Writer w(&out);
  // Go encodes a nil map as nil; serf's config always holds a made map, so an empty one is {}.
  WriteStringMap(tags, w, /*empty_as_map=*/true);
  return out;
}

Status DecodeTags(std::string_view meta, std::map<std::string, std::string>* tags) {
  tags->clear();
  if (meta.empty() || static_cast<uint8_t>(meta[0]) != kTagMagicByte) {
    (*tags)["role"] = std::string(meta);
    return Status::OK();
  }
  meta.remove_prefix(1);
  Value v;
  CONSULATE_RETURN_IF_ERROR(msgpack::Decode(&meta, &v));
  return GetStringMap(v, tags, "tags");
}

// ----- Ack payload -----

std::string EncodeAckPayload(const Coordinate& coord) {
  std::string out(1, static_cast<char>(kPingVersion));
  Writer w(&out);
  EncodeBody(coord, &w);
  return out;
}

Status DecodeAckPayload(std::string_view payload, Coordinate* coord) {
  if (payload.empty()) return Status::Corruption("empty ack payload");
  if (static_cast<uint8_t>(payload[0]) != kPingVersion) {
    return Status::Corruption(
        fmt::format("Unsupported ping version: {}", static_cast<uint8_t>(payload[0])));
  }
  return DecodeSerfMessage(payload.substr(1), coord);
}

// ----- Filters -----

std::string EncodeFilter(const Filter& filter) {
  std::string out;
  Writer w(&out);
  if (const auto* nodes = std::get_if<NodeFilter>(&filter)) {
    out.push_back(static_cast<char>(FilterType::kNode));
    WriteStrings(nodes->nodes, w, /*empty_as_array=*/false);
  } else {
    const auto& tag = std::get<TagFilter>(filter);
    out.push_back(static_cast<char>(FilterType::kTag));
    StructWriter s(&w);
    s.Field("Tag").Str(tag.tag);
    s.Field("Expr").Str(tag.expr);
    s.Finish();
  }
  return out;
}

Status DecodeFilter(std::string_view encoded, Filter* filter) {
  if (encoded.empty()) return Status::Corruption("empty query filter");
  const auto type = static_cast<uint8_t>(encoded[0]);
  encoded.remove_prefix(1);
  Value v;
  CONSULATE_RETURN_IF_ERROR(msgpack::Decode(&encoded, &v));
  if (type == static_cast<uint8_t>(FilterType::kNode)) {
    NodeFilter nodes;
    CONSULATE_RETURN_IF_ERROR(GetStrings(v, &nodes.nodes, "filterNode"));
    *filter = std::move(nodes);
    return Status::OK();
  }
  if (type == static_cast<uint8_t>(FilterType::kTag)) {
    TagFilter tag;
    CONSULATE_RETURN_IF_ERROR(
        msgpack::DecodeStruct(v, "filterTag", [&tag](std::string_view n, const Value& x) -> Status {
          if (n == "Tag") return Get(x, &tag.tag, "filterTag.Tag");
          if (n == "Expr") return Get(x, &tag.expr, "filterTag.Expr");
          return Status::OK();
        }));
    *filter = std::move(tag);
    return Status::OK();
  }
  return Status::Corruption(fmt::format("unknown query filter type {}", type));
}

}  // namespace consulate::gossip::serf
