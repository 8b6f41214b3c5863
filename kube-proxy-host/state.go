package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
)

// objectState remembers the objects last given to the proxier, so that a full desired state
// from svclab becomes the Add/Update/Delete calls an informer would have made.
type objectState struct {
	services map[string]stored[*v1.Service]
	slices   map[string]stored[*discovery.EndpointSlice]
	synced   bool
}

type stored[T any] struct {
	obj T
	raw []byte
}

func newObjectState() *objectState {
	return &objectState{services: map[string]stored[*v1.Service]{}, slices: map[string]stored[*discovery.EndpointSlice]{}}
}

// sync feeds the change to the proxier and runs one synchronous sync of its rules.
func (h *host) sync(req *request) (float64, []string, error) {
	if h.provider == nil {
		return 0, nil, fmt.Errorf("sync before start")
	}
	services, err := decodeAll[v1.Service](req.Services, "services")
	if err != nil {
		return 0, nil, err
	}
	slices, err := decodeAll[discovery.EndpointSlice](req.Slices, "endpointSlices")
	if err != nil {
		return 0, nil, err
	}
	for _, s := range slices {
		if s.obj.Labels[discovery.LabelServiceName] == "" {
			return 0, nil, fmt.Errorf("endpointSlice %s/%s has no %s label", s.obj.Namespace, s.obj.Name, discovery.LabelServiceName)
		}
	}
	p, st := h.provider, h.state
	diff(st.services, services,
		func(o *v1.Service) { p.OnServiceAdd(o) },
		func(old, o *v1.Service) { p.OnServiceUpdate(old, o) },
		func(o *v1.Service) { p.OnServiceDelete(o) })
	diff(st.slices, slices,
		func(o *discovery.EndpointSlice) { p.OnEndpointSliceAdd(o) },
		func(old, o *discovery.EndpointSlice) { p.OnEndpointSliceUpdate(old, o) },
		func(o *discovery.EndpointSlice) { p.OnEndpointSliceDelete(o) })

	mark := h.errors.mark()
	began := time.Now()
	// Both calls sync unconditionally and synchronously; the first OnServiceSynced returns early
	// (endpoint slices not yet synced), as at kube-proxy's start.
	if !st.synced {
		p.OnServiceSynced()
		st.synced = true
	}
	p.OnEndpointSlicesSynced()
	ms := float64(time.Since(began).Microseconds()) / 1000
	failures, warnings := classify(h.errors.since(mark))
	if len(failures) > 0 {
		return ms, warnings, fmt.Errorf("%s sync failed: %s", h.mode, strings.Join(failures, "; "))
	}
	return ms, warnings, nil
}

// syncFailures are the proxier's log messages that mean its rules did not reach the kernel; its
// other errors (a stale chain left for later, a health-check port busy) are passed on as warnings.
var syncFailures = []string{"nftables sync failed", "Failed to execute iptables-restore", "Failed to ensure chain"}

// firstSyncNoise is logged by the nftables proxier's first sync, before its table exists.
var firstSyncNoise = []string{"Failed to list existing chains", "Failed to list existing sets"}

func classify(errs []string) (failures, warnings []string) {
	for _, e := range errs {
		switch {
		case hasAnyPrefix(e, syncFailures):
			failures = append(failures, e)
		case hasAnyPrefix(e, firstSyncNoise) && strings.Contains(e, "no such file or directory"):
		default:
			warnings = append(warnings, e)
		}
	}
	return failures, warnings
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// decodeAll decodes a JSON array of objects, keyed by namespace/name.
func decodeAll[T any, P interface {
	*T
	GetNamespace() string
	GetName() string
}](raw json.RawMessage, what string) (map[string]stored[P], error) {
	out := map[string]stored[P]{}
	if len(raw) == 0 {
		return out, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for i, item := range items {
		obj := P(new(T))
		if err := json.Unmarshal(item, obj); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", what, i, err)
		}
		key := obj.GetNamespace() + "/" + obj.GetName()
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%s: %s given twice", what, key)
		}
		out[key] = stored[P]{obj: obj, raw: item}
	}
	return out, nil
}

// diff calls add/update/remove so that `have` becomes `want`, in a stable order, and updates `have`.
func diff[P any](have, want map[string]stored[P], add func(P), update func(old, cur P), remove func(P)) {
	for _, key := range sortedKeys(have) {
		if _, ok := want[key]; !ok {
			remove(have[key].obj)
			delete(have, key)
		}
	}
	for _, key := range sortedKeys(want) {
		cur := want[key]
		old, ok := have[key]
		switch {
		case !ok:
			add(cur.obj)
		case !bytes.Equal(old.raw, cur.raw):
			update(old.obj, cur.obj)
		default:
			continue
		}
		have[key] = cur
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
