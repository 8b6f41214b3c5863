//go:build !kube_1_35

// The proxier constructors of the release go.mod pins (v1.37): they take the
// KubeProxyConfiguration itself. release_1_35.go holds the older, positional ones.
package main

import (
	"context"
	"fmt"
	"net"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilsysctl "k8s.io/component-helpers/node/util/sysctl"
	"k8s.io/kubernetes/pkg/proxy"
	kubeproxyconfig "k8s.io/kubernetes/pkg/proxy/apis/config"
	"k8s.io/kubernetes/pkg/proxy/healthcheck"
	"k8s.io/kubernetes/pkg/proxy/iptables"
	"k8s.io/kubernetes/pkg/proxy/nftables"
	proxyutil "k8s.io/kubernetes/pkg/proxy/util"
	utiliptables "k8s.io/kubernetes/pkg/util/iptables"
)

const nodePortKeywords = "primary, localhost, all"

// nodePortKeyword expands a nodePortAddresses keyword the way cmd/kube-proxy does.
func nodePortKeyword(word, nodeIP string) (string, bool) {
	switch word {
	case kubeproxyconfig.NodePortAddressesPrimary:
		return nodeIP + "/32", true
	case kubeproxyconfig.NodePortAddressesLocalhost:
		return "127.0.0.0/8", true
	case kubeproxyconfig.NodePortAddressesAll:
		return "0.0.0.0/0", true
	}
	return "", false
}

// newProvider constructs upstream's proxier for mode with real handles in this namespace.
func newProvider(ctx context.Context, mode string, cfg *kubeproxyconfig.KubeProxyConfiguration, detector proxyutil.LocalTrafficDetector, node *nodeSpec, nodeIP net.IP) (proxy.Provider, error) {
	recorder := &logRecorder{}
	// The proxier reports each sync here; service health-check ports answer from its state (as
	// kube-proxy's do). Its own /healthz listener is never started.
	n := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: node.Name, Labels: node.Labels}}
	healthz := healthcheck.NewProxyHealthServer("127.0.0.1:10256", time.Hour, staticNode{n})
	switch mode {
	case "iptables":
		ipt := utiliptables.New(utiliptables.ProtocolIPv4)
		if err := ipt.Present(); err != nil {
			return nil, fmt.Errorf("iptables not usable in this namespace: %w", err)
		}
		return iptables.NewProxier(ctx, cfg, v1.IPv4Protocol, ipt, utilsysctl.New(), detector, node.Name, nodeIP, recorder, healthz, false)
	case "nftables":
		return nftables.NewProxier(ctx, cfg, v1.IPv4Protocol, detector, node.Name, nodeIP, recorder, healthz, false)
	}
	return nil, fmt.Errorf("mode %q is not supported (expected iptables or nftables)", mode)
}

// staticNode is the Node object the health server asks about (never deleted here).
type staticNode struct{ node *v1.Node }

func (n staticNode) Node() *v1.Node { return n.node }
