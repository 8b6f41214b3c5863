/**
 * A node's connection tracking table. The first packet of a flow goes through the nat table and
 * its NAT decisions are stored here; later packets of the flow, and its replies, are rewritten
 * from the entry without consulting the rules, so an established flow keeps its endpoint even
 * when the rules change, and replies are un-NATed.
 */
import type { Packet } from './packet.js';

export interface Tuple {
  proto: number;
  src: number;
  sport: number;
  dst: number;
  dport: number;
}

export interface ConntrackEntry {
  original: Tuple;
  reply: Tuple;
  /** Virtual time (seconds) after which the entry is gone. */
  expires: number;
  /** Destination was rewritten (DNAT). */
  dnat: boolean;
  /** Source was rewritten (SNAT/MASQUERADE). */
  snat: boolean;
  /**
   * A reply has passed through this host. A TCP flow whose reply takes another path (asymmetric
   * routing) stays in SYN_SENT here, and the sender's next packet is INVALID on this host.
   */
  seenReply?: boolean;
}

function key(t: Tuple): string {
  return `${t.proto}|${t.src}|${t.sport}|${t.dst}|${t.dport}`;
}

/** Timeouts (seconds) close to the kernel defaults. */
export const CT_TIMEOUT = { tcpTimeWait: 120, tcpEstablished: 432000, udp: 30, udpStream: 120 } as const;

export class Conntrack {
  private readonly byOriginal = new Map<string, ConntrackEntry>();
  private readonly byReply = new Map<string, ConntrackEntry>();

  get size(): number {
    return this.byOriginal.size;
  }

  /** The entry a packet belongs to, and in which direction it travels. */
  lookup(p: Packet, now: number): { entry: ConntrackEntry; reply: boolean } | undefined {
    const k = `${p.proto}|${p.src}|${p.sport}|${p.dst}|${p.dport}`;
    let entry = this.byOriginal.get(k);
    let reply = false;
    if (!entry) {
      entry = this.byReply.get(k);
      reply = true;
    }
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.delete(entry);
      return undefined;
    }
    return { entry, reply };
  }

  insert(entry: ConntrackEntry): void {
    this.byOriginal.set(key(entry.original), entry);
    this.byReply.set(key(entry.reply), entry);
  }

  delete(entry: ConntrackEntry): void {
    this.byOriginal.delete(key(entry.original));
    this.byReply.delete(key(entry.reply));
  }

  /** Removes expired entries. */
  prune(now: number): void {
    for (const e of [...this.byOriginal.values()]) if (e.expires <= now) this.delete(e);
  }

  /** Removes every entry matching `pred` (kube-proxy's conntrack cleanup); returns how many. */
  deleteWhere(pred: (e: ConntrackEntry) => boolean): number {
    let n = 0;
    for (const e of [...this.byOriginal.values()]) {
      if (pred(e)) {
        this.delete(e);
        n++;
      }
    }
    return n;
  }

  entries(): ConntrackEntry[] {
    return [...this.byOriginal.values()];
  }
}
