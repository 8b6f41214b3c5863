/**
 * Can the kube-proxy backend run here? Everything the netns backend needs, the built
 * kube-proxy-host program, and for nftables mode a working `nft` in a new namespace. Every
 * answer names what is missing and the command that fixes it.
 */
import { execFile } from 'node:child_process';
import { BackendUnavailableError } from '../../errors.js';
import { checkPrerequisites } from '../netns/check.js';
import { requireHostBinary } from './binary.js';
import type { ProxyMode } from './hosts.js';

/** Root, netns tools, iptables extensions (the netns backend's check) and the built program. */
export async function checkKubeProxy(): Promise<void> {
  try {
    await checkPrerequisites();
  } catch (err) {
    if (err instanceof BackendUnavailableError) {
      throw new BackendUnavailableError(err.message.replace(/^netns backend/, 'kube-proxy backend (runs on the netns lab)'));
    }
    throw err;
  }
  requireHostBinary();
}

/** A table with a verdict map, numgen and a dynamic set, as kube-proxy's nftables mode writes them. */
const NFT_PROBE = `add table ip svclab-check
add chain ip svclab-check c
add map ip svclab-check m { type ipv4_addr . inet_proto . inet_service : verdict ; }
add set ip svclab-check s { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add rule ip svclab-check c numgen random mod 2 vmap { 0 : accept, 1 : drop }
add rule ip svclab-check c update @s { ip saddr }
add rule ip svclab-check c ip daddr . meta l4proto . th dport vmap @m
`;

let nftChecked: Promise<void> | undefined;

/** nftables mode needs `nft` (Debian package nftables) and a kernel that takes kube-proxy's table. */
export function checkMode(mode: ProxyMode): Promise<void> {
  if (mode !== 'nftables') return Promise.resolve();
  nftChecked ??= new Promise<void>((resolve, reject) => {
    const child = execFile('unshare', ['--net', '--', 'nft', '-f', '-'], { timeout: 15_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      nftChecked = undefined;
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT' || /failed to execute nft|nft: (not found|No such file)/.test(String(stderr));
      reject(
        new BackendUnavailableError(
          missing
            ? 'kube-proxy backend: nftables mode needs `nft` (apt-get install -y nftables)'
            : `kube-proxy backend: the kernel does not take kube-proxy's nftables table (needs Linux >= 5.13, nft >= 1.0.1): ${String(stderr).trim()}`,
        ),
      );
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(NFT_PROBE);
  });
  return nftChecked;
}
