#include "gossip/messages.h"

namespace consulate::gossip {

using msgpack::Get;
using msgpack::StructWriter;
using msgpack::Value;

// Go field names are the wire keys; StructWriter sorts them as Go's codec does. Fields tagged
// `codec:",omitempty"` in net.go are written only when non-zero (Go's isEmptyValue: len 0 for a
// slice or string, 0 for a number).

void EncodeBody(const Ping& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("SeqNo").Uint(m.seq_no);
  s.Field("Node").Str(m.node);
  if (!m.source_addr.empty()) s.Field("SourceAddr").Bytes(m.source_addr);
  if (m.source_port != 0) s.Field("SourcePort").Uint(m.source_port);
  if (!m.source_node.empty()) s.Field("SourceNode").Str(m.source_node);
  s.Finish();
}

void EncodeBody(const IndirectPing& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("SeqNo").Uint(m.seq_no);
  s.Field("Target").Bytes(m.target);
  s.Field("Port").Uint(m.port);
  s.Field("Node").Str(m.node);
  s.Field("Nack").Bool(m.nack);
  if (!m.source_addr.empty()) s.Field("SourceAddr").Bytes(m.source_addr);
  if (m.source_port != 0) s.Field("SourcePort").Uint(m.source_port);
  if (!m.source_node.empty()) s.Field("SourceNode").Str(m.source_node);
  s.Finish();
}

void EncodeBody(const Ack& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("SeqNo").Uint(m.seq_no);
  s.Field("Payload").Bytes(m.payload);
  s.Finish();
}

void EncodeBody(const Nack& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("SeqNo").Uint(m.seq_no);
  s.Finish();
}

void EncodeBody(const ErrResp& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("Error").Str(m.error);
  s.Finish();
}

void EncodeBody(const Suspect& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("Incarnation").Uint(m.incarnation);
  s.Field("Node").Str(m.node);
  s.Field("From").Str(m.from);
  s.Finish();
}

void EncodeBody(const Alive& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("Incarnation").Uint(m.incarnation);
  s.Field("Node").Str(m.node);
  s.Field("Addr").Bytes(m.addr);
  s.Field("Port").Uint(m.port);
  s.Field("Meta").Bytes(m.meta);
  s.Field("Vsn").Bytes(m.vsn);
  s.Finish();
}

void EncodeBody(const Dead& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("Incarnation").Uint(m.incarnation);
  s.Field("Node").Str(m.node);
  s.Field("From").Str(m.from);
  s.Finish();
}

void EncodeBody(const PushPullHeader& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("Nodes").Int(m.nodes);
  s.Field("UserStateLen").Int(m.user_state_len);
  s.Field("Join").Bool(m.join);
  s.Finish();
}

void EncodeBody(const PushNodeState& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("Name").Str(m.name);
  s.Field("Addr").Bytes(m.addr);
  s.Field("Port").Uint(m.port);
  s.Field("Meta").Bytes(m.meta);
  s.Field("Incarnation").Uint(m.incarnation);
  s.Field("State").Int(static_cast<int32_t>(m.state));
  s.Field("Vsn").Bytes(m.vsn);
  s.Finish();
}

void EncodeBody(const UserMsgHeader& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("UserMsgLen").Int(m.user_msg_len);
  s.Finish();
}

void EncodeBody(const Compress& m, msgpack::Writer* w) {
  StructWriter s(w);
  s.Field("Algo").Uint(m.algo);
  s.Field("Buf").Bytes(m.buf);
  s.Finish();
}

// ----- Decoding -----

Status DecodeBody(const Value& v, Ping* m) {
  *m = Ping();
  return msgpack::DecodeStruct(v, "ping", [m](std::string_view name, const Value& f) -> Status {
    if (name == "SeqNo") return Get(f, &m->seq_no, "ping.SeqNo");
    if (name == "Node") return Get(f, &m->node, "ping.Node");
    if (name == "SourceAddr") return Get(f, &m->source_addr, "ping.SourceAddr");
    if (name == "SourcePort") return Get(f, &m->source_port, "ping.SourcePort");
    if (name == "SourceNode") return Get(f, &m->source_node, "ping.SourceNode");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, IndirectPing* m) {
  *m = IndirectPing();
  return msgpack::DecodeStruct(v, "indirectPingReq",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "SeqNo")
                                   return Get(f, &m->seq_no, "indirectPingReq.SeqNo");
                                 if (name == "Target")
                                   return Get(f, &m->target, "indirectPingReq.Target");
                                 if (name == "Port")
                                   return Get(f, &m->port, "indirectPingReq.Port");
                                 if (name == "Node")
                                   return Get(f, &m->node, "indirectPingReq.Node");
                                 if (name == "Nack")
                                   return Get(f, &m->nack, "indirectPingReq.Nack");
                                 if (name == "SourceAddr")
                                   return Get(f, &m->source_addr, "indirectPingReq.SourceAddr");
                                 if (name == "SourcePort")
                                   return Get(f, &m->source_port, "indirectPingReq.SourcePort");
                                 if (name == "SourceNode")
                                   return Get(f, &m->source_node, "indirectPingReq.SourceNode");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, Ack* m) {
  *m = Ack();
  return msgpack::DecodeStruct(v, "ackResp", [m](std::string_view name, const Value& f) -> Status {
    if (name == "SeqNo") return Get(f, &m->seq_no, "ackResp.SeqNo");
    if (name == "Payload") return Get(f, &m->payload, "ackResp.Payload");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, Nack* m) {
  *m = Nack();
  return msgpack::DecodeStruct(v, "nackResp", [m](std::string_view name, const Value& f) -> Status {
    if (name == "SeqNo") return Get(f, &m->seq_no, "nackResp.SeqNo");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, ErrResp* m) {
  *m = ErrResp();
  return msgpack::DecodeStruct(v, "errResp", [m](std::string_view name, const Value& f) -> Status {
    if (name == "Error") return Get(f, &m->error, "errResp.Error");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, Suspect* m) {
  *m = Suspect();
  return msgpack::DecodeStruct(v, "suspect", [m](std::string_view name, const Value& f) -> Status {
    if (name == "Incarnation") return Get(f, &m->incarnation, "suspect.Incarnation");
    if (name == "Node") return Get(f, &m->node, "suspect.Node");
    if (name == "From") return Get(f, &m->from, "suspect.From");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, Alive* m) {
  *m = Alive();
  return msgpack::DecodeStruct(v, "alive", [m](std::string_view name, const Value& f) -> Status {
    if (name == "Incarnation") return Get(f, &m->incarnation, "alive.Incarnation");
    if (name == "Node") return Get(f, &m->node, "alive.Node");
    if (name == "Addr") return Get(f, &m->addr, "alive.Addr");
    if (name == "Port") return Get(f, &m->port, "alive.Port");
    if (name == "Meta") return Get(f, &m->meta, "alive.Meta");
    if (name == "Vsn") return Get(f, &m->vsn, "alive.Vsn");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, Dead* m) {
  *m = Dead();
  return msgpack::DecodeStruct(v, "dead", [m](std::string_view name, const Value& f) -> Status {
    if (name == "Incarnation") return Get(f, &m->incarnation, "dead.Incarnation");
    if (name == "Node") return Get(f, &m->node, "dead.Node");
    if (name == "From") return Get(f, &m->from, "dead.From");
    return Status::OK();
  });
}

Status DecodeBody(const Value& v, PushPullHeader* m) {
  *m = PushPullHeader();
  return msgpack::DecodeStruct(v, "pushPullHeader",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "Nodes")
                                   return Get(f, &m->nodes, "pushPullHeader.Nodes");
                                 if (name == "UserStateLen")
                                   return Get(f, &m->user_state_len, "pushPullHeader.UserStateLen");
                                 if (name == "Join") return Get(f, &m->join, "pushPullHeader.Join");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, PushNodeState* m) {
  *m = PushNodeState();
  return msgpack::DecodeStruct(v, "pushNodeState",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "Name") return Get(f, &m->name, "pushNodeState.Name");
                                 if (name == "Addr") return Get(f, &m->addr, "pushNodeState.Addr");
                                 if (name == "Port") return Get(f, &m->port, "pushNodeState.Port");
                                 if (name == "Meta") return Get(f, &m->meta, "pushNodeState.Meta");
                                 if (name == "Incarnation")
                                   return Get(f, &m->incarnation, "pushNodeState.Incarnation");
                                 if (name == "State") {
                                   int32_t state = 0;
                                   CONSULATE_RETURN_IF_ERROR(Get(f, &state, "pushNodeState.State"));
                                   // Go keeps any int; an unknown state is the merge logic's
                                   // problem, not the codec's.
                                   m->state = static_cast<NodeState>(state);
                                   return Status::OK();
                                 }
                                 if (name == "Vsn") return Get(f, &m->vsn, "pushNodeState.Vsn");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, UserMsgHeader* m) {
  *m = UserMsgHeader();
  return msgpack::DecodeStruct(v, "userMsgHeader",
                               [m](std::string_view name, const Value& f) -> Status {
                                 if (name == "UserMsgLen")
                                   return Get(f, &m->user_msg_len, "userMsgHeader.UserMsgLen");
                                 return Status::OK();
                               });
}

Status DecodeBody(const Value& v, Compress* m) {
  *m = Compress();
  return msgpack::DecodeStruct(v, "compress", [m](std::string_view name, const Value& f) -> Status {
    if (name == "Algo") return Get(f, &m->algo, "compress.Algo");
    if (name == "Buf") return Get(f, &m->buf, "compress.Buf");
    return Status::OK();
  });
}

std::string EncodeUserMessage(std::string_view payload) {
  std::string out(1, static_cast<char>(MessageType::kUser));
  out.append(payload);
  return out;
}

}  // namespace consulate::gossip
