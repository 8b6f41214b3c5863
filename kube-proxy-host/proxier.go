package main

import (
	"context"
	"fmt"
	"net"
	"runtime/debug"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/proxy"
	kubeproxyconfig "k8s.io/kubernetes/pkg/proxy/apis/config"
	proxyutil "k8s.io/kubernetes/pkg/proxy/util"
)

// nodeSpec is the node this host stands for.
type nodeSpec struct {
	Name    string            `json:"name"`
	IP      string            `json:"ip"`
	PodCIDR string            `json:"podCIDR,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// proxierOptions are the kube-proxy settings a scenario can set (KubeProxyConfiguration fields).
type proxierOptions struct {
	MasqueradeAll       bool     `json:"masqueradeAll"`
	MasqueradeBit       int32    `json:"masqueradeBit"`
	LocalhostNodePorts  bool     `json:"localhostNodePorts"`
	NodePortAddresses   []string `json:"nodePortAddresses"`
	DetectLocalMode     string   `json:"detectLocalMode"`
	ClusterCIDR         string   `json:"clusterCIDR,omitempty"`
	BridgeInterface     string   `json:"bridgeInterface,omitempty"`
	InterfaceNamePrefix string   `json:"interfaceNamePrefix,omitempty"`
}

// host holds one proxier and the objects it was last fed.
type host struct {
	provider proxy.Provider
	mode     string
	errors   *errorLog
	state    *objectState
}

func kubernetesVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "k8s.io/kubernetes" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func (h *host) start(req *request) error {
	if h.provider != nil {
		return fmt.Errorf("already started")
	}
	if req.Node == nil || req.Options == nil {
		return fmt.Errorf("start needs node and options")
	}
	nodeIP := net.ParseIP(req.Node.IP)
	if nodeIP == nil || nodeIP.To4() == nil {
		return fmt.Errorf("node IP %q is not an IPv4 address", req.Node.IP)
	}
	h.errors = installErrorLog()
	cfg, err := configFor(req.Mode, req.Node, req.Options)
	if err != nil {
		return err
	}
	detector, err := localDetector(req.Options, req.Node)
	if err != nil {
		return err
	}
	provider, err := newProvider(context.Background(), req.Mode, cfg, detector, req.Node, nodeIP)
	if err != nil {
		return fmt.Errorf("creating the %s proxier: %w", req.Mode, err)
	}
	h.provider, h.mode = provider, req.Mode
	h.state = newObjectState()
	if len(req.ServiceCIDRs) > 0 {
		provider.OnServiceCIDRsChanged(req.ServiceCIDRs)
	}
	provider.OnTopologyChange(req.Node.Labels)
	return nil
}

// configFor fills the KubeProxyConfiguration the way kube-proxy's flags and defaults would.
func configFor(mode string, node *nodeSpec, o *proxierOptions) (*kubeproxyconfig.KubeProxyConfiguration, error) {
	bit := o.MasqueradeBit
	localhost := o.LocalhostNodePorts
	cfg := &kubeproxyconfig.KubeProxyConfiguration{
		// No periodic resync: svclab decides when to sync (each sync is synchronous).
		SyncPeriod:    metav1.Duration{Duration: time.Hour},
		MinSyncPeriod: metav1.Duration{Duration: time.Second},
		IPTables:      kubeproxyconfig.KubeProxyIPTablesConfiguration{MasqueradeBit: &bit, LocalhostNodePorts: &localhost},
		NFTables:      kubeproxyconfig.KubeProxyNFTablesConfiguration{MasqueradeBit: &bit},
		Linux:         kubeproxyconfig.KubeProxyLinuxConfiguration{MasqueradeAll: o.MasqueradeAll},
	}
	addrs := o.NodePortAddresses
	// cmd/kube-proxy: nftables mode defaults nodePortAddresses to "primary".
	if mode == "nftables" && len(addrs) == 0 {
		addrs = []string{kubeproxyconfig.NodePortAddressesPrimary}
	}
	for _, a := range addrs {
		if cidr, ok := nodePortKeyword(a, node.IP); ok {
			cfg.NodePortAddresses = append(cfg.NodePortAddresses, cidr)
			continue
		}
		if _, _, err := net.ParseCIDR(a); err != nil {
			return nil, fmt.Errorf("nodePortAddresses: %q is not a CIDR or a keyword this release knows (%s)", a, nodePortKeywords)
		}
		cfg.NodePortAddresses = append(cfg.NodePortAddresses, a)
	}
	return cfg, nil
}

// localDetector builds the detector cmd/kube-proxy would for --detect-local-mode.
func localDetector(o *proxierOptions, node *nodeSpec) (proxyutil.LocalTrafficDetector, error) {
	switch o.DetectLocalMode {
	case "", "ClusterCIDR":
		if o.ClusterCIDR == "" {
			return proxyutil.NewNoOpLocalDetector(), nil
		}
		return proxyutil.NewDetectLocalByCIDR(o.ClusterCIDR), nil
	case "NodeCIDR":
		if node.PodCIDR == "" {
			return proxyutil.NewNoOpLocalDetector(), nil
		}
		return proxyutil.NewDetectLocalByCIDR(node.PodCIDR), nil
	case "BridgeInterface":
		return proxyutil.NewDetectLocalByBridgeInterface(o.BridgeInterface), nil
	case "InterfaceNamePrefix":
		return proxyutil.NewDetectLocalByInterfaceNamePrefix(o.InterfaceNamePrefix), nil
	case "None":
		return proxyutil.NewNoOpLocalDetector(), nil
	}
	return nil, fmt.Errorf("detectLocalMode %q is not one of ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix, None", o.DetectLocalMode)
}
