/**
 * kube-proxy (nftables mode) for one node: the transaction its first full sync sends on a fresh
 * node, and the `ip kube-proxy` table that transaction leaves. Services are written in state
 * order, ports in spec order (kube-proxy iterates a Go map, so its order between services is
 * arbitrary; the resulting table is the same).
 */
import type { ClusterState } from '../../model/types.js';
import { planNode, type NodePlan } from '../iptables/plan.js';
import { nftNodeContext, type NftNodeContext } from './node.js';
import { NftTransaction, applyTransaction, type NftOperation, type NftRuleset } from './ruleset.js';
import { localhostRejectProtocols, writeSetup } from './setup.js';
import { writeServicePort, type NftServicePort } from './services.js';

export interface NftRenderOptions {
  /**
   * The KubeProxyNFTablesLocalhostNodePorts feature gate (alpha in v1.37, off by default): reject
   * and count localhost node-port traffic kube-proxy does not serve. Default false.
   */
  localhostNodePorts?: boolean;
  /**
   * Include the add+delete of every base chain that kube-proxy's first sync after start sends.
   * Default true (a fresh node); the resulting table is the same either way.
   */
  firstSync?: boolean;
}

export interface NftRenderedNode {
  ctx: NftNodeContext;
  /** The shared endpoint plan (same decisions as iptables mode; its KUBE-SEP names are left empty). */
  plan: NodePlan;
  /** One entry per IPv4 service port, in plan order. */
  servicePorts: NftServicePort[];
  /** The transaction, in the order kube-proxy sends it. */
  operations: NftOperation[];
  /** The table after the transaction. */
  ruleset: NftRuleset;
}

/** Renders the nftables transaction and resulting table for `nodeName`; throws on an unknown node. */
export function renderNftNode(state: ClusterState, nodeName: string, options: NftRenderOptions = {}): NftRenderedNode {
  const plan = planNode(state, nodeName, { endpointChainNames: false });
  const ctx = nftNodeContext(state, nodeName);
  const tx = new NftTransaction();
  const localhostRejects = localhostRejectProtocols(options.localhostNodePorts ?? false, ctx);
  const chains = writeSetup(tx, ctx, { firstSync: options.firstSync ?? true, localhostRejects });
  const w = { tx, chains, ctx, localhostRejects, hairpin: new Set<string>() };
  const servicePorts = plan.servicePorts.map((sp) => writeServicePort(w, sp));
  return { ctx, plan, servicePorts, operations: tx.operations, ruleset: applyTransaction(tx.operations) };
}

/** Where a chain of the table leads, for naming who answered in a trace. */
export interface NftChainInfo {
  kind: 'cluster' | 'local' | 'external' | 'firewall' | 'endpoint';
  servicePort: NftServicePort;
  /** "ip:port" for endpoint chains. */
  endpoint?: string;
}

/** Every service-, local-, external-, firewall- and endpoint- chain of a rendered node. */
export function nftChainIndex(rendered: NftRenderedNode): Map<string, NftChainInfo> {
  const out = new Map<string, NftChainInfo>();
  for (const sp of rendered.servicePorts) {
    if (sp.usesClusterPolicyChain) out.set(sp.chains.cluster, { kind: 'cluster', servicePort: sp });
    if (sp.usesLocalPolicyChain) out.set(sp.chains.local, { kind: 'local', servicePort: sp });
    if (sp.usesExternalTrafficChain) out.set(sp.chains.external, { kind: 'external', servicePort: sp });
    if (sp.usesFirewallChain) out.set(sp.chains.firewall, { kind: 'firewall', servicePort: sp });
    for (const [endpoint, names] of sp.endpointNames) out.set(names.chain, { kind: 'endpoint', servicePort: sp, endpoint });
  }
  return out;
}
