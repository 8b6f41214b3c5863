//go:build kube_1_35

// The proxier constructors of v1.35 (built with -tags kube_1_35 and -modfile
// releases/v1.35.4.mod): positional options, and a health server that asks a NodeManager about
// the node, here backed by a fake clientset holding just this Node.
package main

import (
	"context"
	"fmt"
	"net"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	utilsysctl "k8s.io/component-helpers/node/util/sysctl"
	"k8s.io/kubernetes/pkg/proxy"
	kubeproxyconfig "k8s.io/kubernetes/pkg/proxy/apis/config"
	"k8s.io/kubernetes/pkg/proxy/healthcheck"
	"k8s.io/kubernetes/pkg/proxy/iptables"
	"k8s.io/kubernetes/pkg/proxy/nftables"
	proxyutil "k8s.io/kubernetes/pkg/proxy/util"
	utiliptables "k8s.io/kubernetes/pkg/util/iptables"
)

const nodePortKeywords = "primary"

// nodePortKeyword expands the one keyword v1.35's cmd/kube-proxy knows.
func nodePortKeyword(word, nodeIP string) (string, bool) {
	if word == kubeproxyconfig.NodePortAddressesPrimary {
		return nodeIP + "/32", true
	}
	return "", false
}

func newProvider(ctx context.Context, mode string, cfg *kubeproxyconfig.KubeProxyConfiguration, detector proxyutil.LocalTrafficDetector, node *nodeSpec, nodeIP net.IP) (proxy.Provider, error) {
	recorder := &logRecorder{}
	// The NodeManager waits (up to 30 s) for the Node to have addresses: give it its InternalIP.
	n := &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: node.Name, Labels: node.Labels},
		Spec:       v1.NodeSpec{PodCIDR: node.PodCIDR},
		Status:     v1.NodeStatus{Addresses: []v1.NodeAddress{{Type: v1.NodeInternalIP, Address: node.IP}}},
	}
	nodes, err := proxy.NewNodeManager(ctx, fake.NewSimpleClientset(n), time.Hour, node.Name, false)
	if err != nil {
		return nil, fmt.Errorf("node manager: %w", err)
	}
	healthz := healthcheck.NewProxyHealthServer("127.0.0.1:10256", time.Hour, nodes)
	sync, minSync := cfg.SyncPeriod.Duration, cfg.MinSyncPeriod.Duration
	switch mode {
	case "iptables":
		ipt := utiliptables.New(utiliptables.ProtocolIPv4)
		if err := ipt.Present(); err != nil {
			return nil, fmt.Errorf("iptables not usable in this namespace: %w", err)
		}
		return iptables.NewProxier(ctx, v1.IPv4Protocol, ipt, utilsysctl.New(), sync, minSync, cfg.Linux.MasqueradeAll,
			*cfg.IPTables.LocalhostNodePorts, int(*cfg.IPTables.MasqueradeBit), detector, node.Name, nodeIP, recorder, healthz,
			cfg.NodePortAddresses, false)
	case "nftables":
		return nftables.NewProxier(ctx, v1.IPv4Protocol, sync, minSync, cfg.Linux.MasqueradeAll, int(*cfg.NFTables.MasqueradeBit),
			detector, node.Name, nodeIP, recorder, healthz, cfg.NodePortAddresses, false)
	}
	return nil, fmt.Errorf("mode %q is not supported (expected iptables or nftables)", mode)
}
