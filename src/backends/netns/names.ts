/**
 * Validation of everything from a scenario that reaches a command line, and the short names the
 * lab gives its namespaces and interfaces. Scenario names never become namespace or interface
 * names: the lab numbers its namespaces itself (n0, p3, c1) and keeps a map back to the scenario.
 */
import { BackendUnavailableError, ScenarioError } from '../../errors.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address without leading zeros. */
export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** Throws a ScenarioError when `text` is not a plain IPv4 address. */
export function checkIPv4(text: string, what: string): string {
  if (!isIPv4(text)) throw new ScenarioError(`netns backend: ${what} "${text}" is not an IPv4 address`);
  return text;
}

/** An IPv4 CIDR split into its parts; throws a ScenarioError when malformed. */
export function parseCIDR(text: string, what: string): { base: number; prefix: number } {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) {
    throw new ScenarioError(`netns backend: ${what} "${text}" is not an IPv4 CIDR`);
  }
  const prefix = Number(m[2]);
  return { base: ipToInt(m[1]) & maskOf(prefix), prefix };
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0) >>> 0;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function inCIDR(ip: string, cidr: { base: number; prefix: number }): boolean {
  return ((ipToInt(ip) & maskOf(cidr.prefix)) >>> 0) === cidr.base;
}

export function formatCIDR(cidr: { base: number; prefix: number }): string {
  return `${intToIp(cidr.base)}/${cidr.prefix}`;
}

/** Namespace and interface names the lab generates: short (<= 15 chars), one regex. */
const LAB_NAME = /^[a-z][a-z0-9]{0,14}$/;

/** Throws when a generated name would not be a safe namespace/interface name (a bug guard). */
export function checkLabName(name: string): string {
  if (!LAB_NAME.test(name)) throw new BackendUnavailableError(`netns backend: invalid generated name "${name}"`);
  return name;
}

/** Numbered namespace names; pods get fresh numbers as they come and go. */
export const nsName = {
  fabric: 'fab',
  node: (i: number) => checkLabName(`n${i}`),
  client: (i: number) => checkLabName(`c${i}`),
  pod: (i: number) => checkLabName(`p${i}`),
};

/** Interface names: fabric side of a node/client link, node side of a pod link. */
export const ifName = {
  bridge: 'br0',
  /** Inside every node, client and pod namespace. */
  inner: 'eth0',
  fabricToNode: (i: number) => checkLabName(`vn${i}`),
  fabricToClient: (i: number) => checkLabName(`vc${i}`),
  nodeToPod: (i: number, prefix = 'vp') => checkLabName(`${prefix}${i}`),
};
