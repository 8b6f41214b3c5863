/**
 * The packet as the netfilter evaluator sees it: numeric addresses, protocol number, ports, the
 * skb mark, interfaces and conntrack state bits. NAT targets rewrite it in place.
 */

export const PROTO = { tcp: 6, udp: 17, sctp: 132, icmp: 1 } as const;
export type ProtoName = 'tcp' | 'udp' | 'sctp';

export function protoNumber(name: string): number | undefined {
  switch (name.toLowerCase()) {
    case 'tcp':
    case '6':
      return 6;
    case 'udp':
    case '17':
      return 17;
    case 'sctp':
    case '132':
      return 132;
    case 'icmp':
    case '1':
      return 1;
    case 'all':
    case '0':
      return 0;
    default:
      return undefined;
  }
}

export function protoName(num: number): ProtoName {
  return num === 17 ? 'udp' : num === 132 ? 'sctp' : 'tcp';
}

/** Conntrack state bits (`-m conntrack --ctstate`); SNAT/DNAT are the virtual states. */
export const CT = {
  NEW: 1,
  ESTABLISHED: 2,
  RELATED: 4,
  INVALID: 8,
  UNTRACKED: 16,
  SNAT: 32,
  DNAT: 64,
} as const;

export interface Packet {
  src: number;
  dst: number;
  /** IP protocol number (6 tcp, 17 udp, 132 sctp). */
  proto: number;
  sport: number;
  dport: number;
  mark: number;
  /** Input interface; '' for locally generated packets. */
  inIface: string;
  /** Output interface; '' until routing has decided it. */
  outIface: string;
  /** Bitset of CT.* */
  ctstate: number;
  /**
   * A TCP segment after the opening SYN (the sender's ACK). Packets are SYNs unless this is set;
   * only conntrack looks at it (an ACK on a flow whose SYN-ACK never passed here is INVALID).
   */
  ack?: boolean;
}
