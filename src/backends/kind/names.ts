/**
 * Validation of every name and address that reaches a kind, kubectl or docker command line, and
 * the names the backend makes up itself (namespace, client containers, cluster).
 */
import { createHash } from 'node:crypto';
import { ScenarioError, UsageError } from '../../errors.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** RFC 1123 label: what Kubernetes accepts for namespaces, and for pods/services when <= 63. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: object names of most kinds (Deployment, ConfigMap...). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** kind's own rule for cluster names (pkg/internal/cluster/... validate): lowercase, digits, '-', '.'. */
const KIND_CLUSTER = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** Docker container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
const CONTAINER = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

export function checkIPv4(text: string, what: string): string {
  if (!isIPv4(text)) throw new ScenarioError(`kind backend: ${what} "${text}" is not an IPv4 address`);
  return text;
}

export function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ScenarioError(`kind backend: ${what} ${port} is not a port (1-65535)`);
  return port;
}

/** A namespace or pod/service name: an RFC 1123 label of at most 63 characters. */
export function checkLabelName(text: string, what: string): string {
  if (text.length > 63 || !DNS_LABEL.test(text)) {
    throw new ScenarioError(`kind backend: ${what} "${text}" is not a valid Kubernetes name (lowercase letters, digits and '-', at most 63)`);
  }
  return text;
}

/** An object name of any other kind: an RFC 1123 subdomain of at most 253 characters. */
export function checkObjectName(text: string, what: string): string {
  if (text.length > 253 || !DNS_SUBDOMAIN.test(text)) {
    throw new ScenarioError(`kind backend: ${what} "${text}" is not a valid Kubernetes object name`);
  }
  return text;
}

/** A kind cluster name from the command line (`--kind-cluster`). */
export function checkClusterName(text: string): string {
  // kind names node containers "<name>-control-plane"; keep room for that in docker's limits.
  if (text.length > 50 || !KIND_CLUSTER.test(text)) {
    throw new UsageError(`--kind-cluster must be lowercase letters, digits, '-' or '.', at most 50 characters (got '${text}')`);
  }
  return text;
}

/** A docker container name (kind node containers, our client containers). */
export function checkContainerName(text: string, what: string): string {
  if (text.length > 128 || !CONTAINER.test(text)) throw new ScenarioError(`kind backend: ${what} "${text}" is not a valid container name`);
  return text;
}

/** Turn any scenario text into a label fragment: lowercase, [a-z0-9-], trimmed to `max`. */
export function slug(text: string, max: number): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, max)
    .replace(/-$/, '');
  return s === '' ? 'x' : s;
}

/** `svclab-<scenario>-<rand>`: a fresh namespace per session, always a valid label. */
export function namespaceName(scenarioName: string, random: string): string {
  if (!/^[a-z0-9]{1,10}$/.test(random)) throw new Error(`namespace suffix must be [a-z0-9]{1,10} (got '${random}')`);
  return checkLabelName(`svclab-${slug(scenarioName, 40)}-${random}`, 'namespace');
}

/** Client container of this session: `svclab-<rand>-<client>`. */
export function clientContainerName(random: string, client: string): string {
  return checkContainerName(`svclab-${random}-${slug(client, 40)}`, 'client container');
}

/** Cluster name this run creates for a scenario shape: same shape, same cluster, reused within a run. */
export function clusterNameForShape(configYaml: string): string {
  return `svclab-${createHash('sha256').update(configYaml).digest('hex').slice(0, 8)}`;
}
