package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// dump returns the rules as this namespace's kernel holds them, in the tool's own text format.
func (h *host) dump() (string, error) {
	var cmd *exec.Cmd
	switch h.mode {
	case "iptables":
		cmd = exec.Command("iptables-save")
	case "nftables":
		cmd = exec.Command("nft", "list", "table", "ip", "kube-proxy")
	default:
		return "", fmt.Errorf("dump before start")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
