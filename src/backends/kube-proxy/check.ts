/**
 * Can the kube-proxy backend run here? Everything the netns backend needs, the built
 * kube-proxy-host program, and for nftables mode a working `nft` in a new namespace. Every
 * answer names what is missing and the command that fixes it.
 */
import { BackendUnavailableError } from '../../errors.js';
import { checkNftPrerequisites, checkPrerequisites } from '../netns/check.js';
import { kubeProxyRelease, requireHostBinary, type KubeProxyRelease } from './binary.js';
import type { ProxyMode } from '../../model/types.js';

/** Root, netns tools, iptables extensions (the netns backend's check) and the built program. */
export async function checkKubeProxy(release: KubeProxyRelease = kubeProxyRelease()): Promise<void> {
  try {
    await checkPrerequisites();
  } catch (err) {
    if (err instanceof BackendUnavailableError) {
      throw new BackendUnavailableError(err.message.replace(/^netns backend/, 'kube-proxy backend (runs on the netns lab)'));
    }
    throw err;
  }
  requireHostBinary(process.env, release);
}

/** nftables mode needs `nft` and a kernel that takes kube-proxy's table (the netns backend's probe). */
export async function checkMode(mode: ProxyMode): Promise<void> {
  if (mode !== 'nftables') return;
  const missing = await checkNftPrerequisites();
  if (missing !== undefined) throw new BackendUnavailableError(`kube-proxy backend: ${missing} (apt-get install -y nftables; Linux >= 5.13)`);
}
