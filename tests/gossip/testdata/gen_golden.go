// gen_golden prints golden msgpack encodings made by the Go codec that memberlist 0.2.2 and
// serf 0.9.4 use (hashicorp/go-msgpack with a zero MsgpackHandle), for golden_messages.txt.
// The struct shapes are the wire format as net.go and serf's messages.go define them.
//
//   apt-get install golang-go golang-github-hashicorp-go-msgpack-dev
//   GO111MODULE=off GOPATH=/usr/share/gocode go run gen_golden.go > golden_messages.txt
package main

import (
	"bytes"
	"fmt"
	"net"
	"time"

	"github.com/hashicorp/go-msgpack/codec"
)

type ping struct {
	SeqNo      uint32
	Node       string
	SourceAddr []byte `codec:",omitempty"`
	SourcePort uint16 `codec:",omitempty"`
	SourceNode string `codec:",omitempty"`
}
type indirectPingReq struct {
	SeqNo      uint32
	Target     []byte
	Port       uint16
	Node       string
	Nack       bool
	SourceAddr []byte `codec:",omitempty"`
	SourcePort uint16 `codec:",omitempty"`
	SourceNode string `codec:",omitempty"`
}
type ackResp struct {
	SeqNo   uint32
	Payload []byte
}
type nackResp struct{ SeqNo uint32 }
type errResp struct{ Error string }
type suspect struct {
	Incarnation uint32
	Node        string
	From        string
}
type alive struct {
	Incarnation uint32
	Node        string
	Addr        []byte
	Port        uint16
	Meta        []byte
	Vsn         []uint8
}
type dead struct {
	Incarnation uint32
	Node        string
	From        string
}
type pushPullHeader struct {
	Nodes        int
	UserStateLen int
	Join         bool
}
type userMsgHeader struct{ UserMsgLen int }
type pushNodeState struct {
	Name        string
	Addr        []byte
	Port        uint16
	Meta        []byte
	Incarnation uint32
	State       int
	Vsn         []uint8
}

type LamportTime uint64
type messageJoin struct {
	LTime LamportTime
	Node  string
}
type messageLeave struct {
	LTime LamportTime
	Node  string
	Prune bool
}
type userEvent struct {
	Name    string
	Payload []byte
}
type userEvents struct {
	LTime  LamportTime
	Events []userEvent
}
type messagePushPull struct {
	LTime        LamportTime
	StatusLTimes map[string]LamportTime
	LeftMembers  []string
	EventLTime   LamportTime
	Events       []*userEvents
	QueryLTime   LamportTime
}
type messageUserEvent struct {
	LTime   LamportTime
	Name    string
	Payload []byte
	CC      bool
}
type messageQuery struct {
	LTime       LamportTime
	ID          uint32
	Addr        []byte
	Port        uint16
	SourceNode  string
	Filters     [][]byte
	Flags       uint32
	RelayFactor uint8
	Timeout     time.Duration
	Name        string
	Payload     []byte
}
type messageQueryResponse struct {
	LTime   LamportTime
	ID      uint32
	From    string
	Flags   uint32
	Payload []byte
}
type filterTag struct {
	Tag  string
	Expr string
}
type keyRequest struct{ Key []byte }
type nodeKeyResponse struct {
	Result     bool
	Message    string
	Keys       []string
	PrimaryKey string
}
type Member struct {
	Name        string
	Addr        net.IP
	Port        uint16
	Tags        map[string]string
	Status      int
	ProtocolMin uint8
	ProtocolMax uint8
	ProtocolCur uint8
	DelegateMin uint8
	DelegateMax uint8
	DelegateCur uint8
}
type relayHeader struct {
	DestAddr net.UDPAddr
	DestName string
}
type Coordinate struct {
	Vec        []float64
	Error      float64
	Adjustment float64
	Height     float64
}

func enc(prefix []byte, v interface{}) []byte {
	var buf bytes.Buffer
	buf.Write(prefix)
	if err := codec.NewEncoder(&buf, &codec.MsgpackHandle{}).Encode(v); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func emit(name string, b []byte) { fmt.Printf("%s %x\n", name, b) }

func main() {
	ip := []byte{127, 0, 0, 1}
	vsn := []uint8{1, 5, 2, 2, 5, 4}
	emit("ping", enc([]byte{0}, &ping{SeqNo: 7, Node: "node-b"}))
	emit("ping_source", enc([]byte{0}, &ping{SeqNo: 70000, Node: "node-b", SourceAddr: ip, SourcePort: 8301, SourceNode: "node-a"}))
	emit("indirect_ping", enc([]byte{1}, &indirectPingReq{SeqNo: 300, Target: ip, Port: 8301, Node: "node-c", Nack: true, SourceAddr: ip, SourcePort: 8302, SourceNode: "node-a"}))
	emit("ack_nil", enc([]byte{2}, &ackResp{SeqNo: 9}))
	emit("ack_payload", enc([]byte{2}, &ackResp{SeqNo: 9, Payload: []byte("pong")}))
	emit("nack", enc([]byte{11}, &nackResp{SeqNo: 4294967295}))
	emit("err", enc([]byte{13}, &errResp{Error: "boom"}))
	emit("suspect", enc([]byte{3}, &suspect{Incarnation: 3, Node: "node-c", From: "node-a"}))
	emit("alive", enc([]byte{4}, &alive{Incarnation: 1, Node: "node-a", Addr: ip, Port: 8301, Meta: []byte("\xff\x81\xa4role\xa6consul"), Vsn: vsn}))
	emit("alive_nil_meta", enc([]byte{4}, &alive{Incarnation: 2, Node: "x", Addr: ip, Port: 7946, Vsn: vsn}))
	emit("dead", enc([]byte{5}, &dead{Incarnation: 5, Node: "node-c", From: "node-c"}))
	emit("push_pull_header", enc([]byte{6}, &pushPullHeader{Nodes: 2, UserStateLen: 1234, Join: true}))
	emit("push_node_state", enc(nil, &pushNodeState{Name: "node-a", Addr: ip, Port: 8301, Meta: []byte("m"), Incarnation: 1, State: 3, Vsn: vsn}))
	emit("user_msg_header", enc([]byte{8}, &userMsgHeader{UserMsgLen: 70000}))

	emit("serf_join", enc([]byte{1}, &messageJoin{LTime: 42, Node: "node-a"}))
	emit("serf_leave", enc([]byte{0}, &messageLeave{LTime: 43, Node: "node-a", Prune: true}))
	emit("serf_event", enc([]byte{3}, &messageUserEvent{LTime: 5, Name: "deploy", Payload: []byte("v1"), CC: true}))
	emit("serf_event_nil", enc([]byte{3}, &messageUserEvent{LTime: 6, Name: "ping"}))
	nodeFilter := enc([]byte{0}, []string{"node-b", "node-c"})
	tagFilter := enc([]byte{1}, &filterTag{Tag: "role", Expr: "^web$"})
	emit("filter_node", nodeFilter)
	emit("filter_tag", tagFilter)
	emit("serf_query", enc([]byte{4}, &messageQuery{LTime: 9, ID: 123456, Addr: ip, Port: 7946, SourceNode: "node-a",
		Filters: [][]byte{nodeFilter, tagFilter}, Flags: 1, RelayFactor: 2, Timeout: 15 * time.Second, Name: "uptime", Payload: []byte("?")}))
	emit("serf_query_response", enc([]byte{5}, &messageQueryResponse{LTime: 9, ID: 123456, From: "node-b", Flags: 1}))
	emit("serf_key_request", enc([]byte{7}, &keyRequest{Key: []byte("0123456789abcdef")}))
	emit("serf_key_response", enc([]byte{8}, &nodeKeyResponse{Result: true, Message: "", Keys: []string{"a2V5", "b3RoZXI="}, PrimaryKey: "a2V5"}))
	emit("serf_member", enc([]byte{6}, &Member{Name: "node-a", Addr: net.IP(ip), Port: 7946, Tags: map[string]string{"role": "web"},
		Status: 1, ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4}))
	var relay bytes.Buffer
	relay.WriteByte(9)
	relay.Write(enc(nil, relayHeader{DestAddr: net.UDPAddr{IP: ip, Port: 7946}, DestName: "node-a"}))
	relay.Write(enc([]byte{5}, &messageQueryResponse{LTime: 1, ID: 2, From: "node-c"}))
	emit("serf_relay", relay.Bytes())
	emit("serf_push_pull", enc([]byte{2}, &messagePushPull{LTime: 10, StatusLTimes: map[string]LamportTime{"node-a": 3},
		LeftMembers: []string{}, EventLTime: 4, Events: []*userEvents{nil, {LTime: 2, Events: []userEvent{{Name: "e", Payload: []byte("p")}}}, nil},
		QueryLTime: 7}))
	emit("serf_tags", enc([]byte{255}, map[string]string{"dc": "dc1"}))
	emit("serf_coordinate", enc([]byte{1}, &Coordinate{Vec: []float64{0.001, -0.5, 0, 0, 0, 0, 0, 0}, Error: 1.5, Adjustment: -0.0001, Height: 1e-05}))
}
