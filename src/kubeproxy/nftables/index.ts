/**
 * kube-proxy (nftables mode) rule rendering for one node: the public surface other modules use.
 * - renderNftNode(state, node, options?): the transaction kube-proxy's first full sync sends
 *   (`operations`), the `ip kube-proxy` table it leaves (`ruleset`), and the per-service-port
 *   names and endpoint decisions behind them (`servicePorts`, `plan`).
 * - formatTransaction(ops): knftables text, loadable with `nft -f`.
 * - formatNftList(ruleset): what `nft list table ip kube-proxy` / `nft list ruleset` print (nft 1.0.6).
 * - formatRulesetDump(ruleset): the table as "add" commands (knftables fake Dump() shape).
 * - nftChainIndex(rendered): chain name -> service port / endpoint, for naming who answered.
 * - renderNftTransactionText / renderNftListText: state + node straight to text.
 */
import type { ClusterState } from '../../model/types.js';
import { formatNftList } from './list-text.js';
import { renderNftNode, type NftRenderOptions } from './render.js';
import { formatTransaction } from './transaction-text.js';

export { renderNftNode, nftChainIndex, type NftRenderOptions, type NftRenderedNode, type NftChainInfo } from './render.js';
export { formatTransaction, formatRulesetDump, operationText } from './transaction-text.js';
export { formatNftList, priorityText, durationText } from './list-text.js';
export { listFormOfRule, anonymousSetText } from './rule-list-form.js';
export { compareElementKeys } from './element-order.js';
export { nftNodeContext, goHexMark, type NftNodeContext } from './node.js';
export {
  hashAndTruncate,
  servicePortChainNameBase,
  servicePortEndpointChainNameBase,
  nftServiceChainNames,
  nftEndpointNames,
  type NftServiceChainNames,
  type NftEndpointNames,
} from './names.js';
export { CHAIN as NFT_CHAINS, SET as NFT_SETS, BASE_CHAINS as NFT_BASE_CHAINS } from './setup.js';
export type { NftServicePort } from './services.js';
export {
  NFT_FAMILY,
  NFT_TABLE,
  applyTransaction,
  joinKey,
  type NftRuleset,
  type NftChain,
  type NftRule,
  type NftSet,
  type NftElement,
  type NftCounter,
  type NftBaseChain,
  type NftHook,
  type NftOperation,
  type NftObject,
} from './ruleset.js';

/** The transaction text kube-proxy (nftables mode) sends on `nodeName`'s first sync. */
export function renderNftTransactionText(state: ClusterState, nodeName: string, options?: NftRenderOptions): string {
  return formatTransaction(renderNftNode(state, nodeName, options).operations);
}

/** What `nft list ruleset` prints on `nodeName` after kube-proxy's sync (only kube-proxy's table). */
export function renderNftListText(state: ClusterState, nodeName: string, options?: NftRenderOptions): string {
  return formatNftList(renderNftNode(state, nodeName, options).ruleset);
}
