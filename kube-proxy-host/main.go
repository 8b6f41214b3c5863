// Command kube-proxy-host hosts upstream kube-proxy's iptables or nftables proxier inside the
// network namespace it is started in. svclab starts one per node namespace and talks to it over
// JSON lines: one request per stdin line, one response per stdout line, each carrying the
// request's "id"; logs go to stderr. The first line out, {"id":0,"ok":true,"ready":true}, says it runs.
//
//	{"op":"start","mode":"iptables","node":{...},"options":{...},"serviceCIDRs":[...]}
//	{"op":"sync","services":[...],"endpointSlices":[...]}   full desired state; synced at once
//	{"op":"dump"}                                            the rules as the kernel holds them
//
// Every response is {"ok":true,...} or {"ok":false,"error":"..."}. A sync that the kernel
// rejects answers ok:false with the proxier's own error (including the failing rule lines).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

// request is one line from svclab.
type request struct {
	ID           int             `json:"id"`
	Op           string          `json:"op"`
	Mode         string          `json:"mode,omitempty"`
	Node         *nodeSpec       `json:"node,omitempty"`
	Options      *proxierOptions `json:"options,omitempty"`
	ServiceCIDRs []string        `json:"serviceCIDRs,omitempty"`
	Services     json.RawMessage `json:"services,omitempty"`
	Slices       json.RawMessage `json:"endpointSlices,omitempty"`
}

// response is one line back to svclab.
type response struct {
	ID       int      `json:"id"`
	OK       bool     `json:"ok"`
	Ready    bool     `json:"ready,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
	Version  string   `json:"version,omitempty"`
	Rules    string   `json:"rules,omitempty"`
	Ms       float64  `json:"ms,omitempty"`
}

func main() {
	host := &host{}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 256<<20)
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(&response{OK: true, Ready: true}); err != nil {
		os.Exit(1)
	}
	for in.Scan() {
		var req request
		var res response
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			res = response{Error: fmt.Sprintf("bad request: %v", err)}
		} else {
			res = host.handle(&req)
		}
		res.ID = req.ID
		if err := out.Encode(&res); err != nil {
			os.Exit(1)
		}
		if req.Op == "stop" {
			return
		}
	}
}

func (h *host) handle(req *request) response {
	switch req.Op {
	case "start":
		if err := h.start(req); err != nil {
			return response{Error: err.Error()}
		}
		return response{OK: true, Version: kubernetesVersion()}
	case "sync":
		ms, warnings, err := h.sync(req)
		if err != nil {
			return response{Error: err.Error(), Ms: ms, Warnings: warnings}
		}
		return response{OK: true, Ms: ms, Warnings: warnings}
	case "dump":
		rules, err := h.dump()
		if err != nil {
			return response{Error: err.Error()}
		}
		return response{OK: true, Rules: rules}
	case "stop":
		return response{OK: true}
	}
	return response{Error: fmt.Sprintf("unknown op %q (expected start, sync, dump or stop)", req.Op)}
}
