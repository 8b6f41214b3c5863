/**
 * The BackendSession of the netns backend: a Lab per scenario, following its steps. Changes the
 * lab cannot follow, and traffic it cannot send, come back as `unsupported` with the reason.
 */
import type { ApplyResult, BackendContext, BackendSession, NodeRules } from '../backend.js';
import type { ChangeStep, CompiledScenario, SendStep } from '../../model/scenario.js';
import type { SendResult } from '../../observe/observation.js';
import { Lab, LabChangeUnsupported, type NftRulesFor, type RulesFor, type RulesWriter } from './lab.js';

/** A session for a scenario this machine cannot run: every step is skipped with `reason`. */
export function unsupportedSession(reason: string): BackendSession {
  return {
    apply: async () => ({ unsupported: reason }),
    send: async () => ({ unsupported: reason }),
    close: async () => undefined,
  };
}

export class NetnsSession implements BackendSession {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly lab: Lab,
    private readonly writer?: RulesWriter,
  ) {}

  /** Brings the scenario's initial cluster up; Ctrl-C (the context's signal) tears it down. */
  static async start(scenario: CompiledScenario, ctx: BackendContext, rulesFor: RulesFor, writer?: RulesWriter, nftRulesFor?: NftRulesFor): Promise<NetnsSession> {
    ctx.signal.throwIfAborted();
    const lab = await Lab.up(scenario.initial, { rulesFor, writer, log: ctx.log, ...(nftRulesFor !== undefined ? { nftRulesFor } : {}) });
    const session = new NetnsSession(lab, writer);
    if (ctx.signal.aborted) {
      await session.close();
      ctx.signal.throwIfAborted();
    }
    ctx.signal.addEventListener('abort', () => void session.close(), { once: true });
    return session;
  }

  /** The rules as the kernel of `node` holds them (`iptables-save`, or `nft list` under nftables kube-proxy). */
  kernelRules(node: string): Promise<string> {
    return this.lab.kernelRules(node);
  }

  /** Every node's rules as its kernel holds them, with who wrote them (kube-proxy, or svclab's renderer). */
  nodeRules(): Promise<NodeRules[]> {
    return this.lab.nodeRules();
  }

  /** Adjustments the lab made (e.g. nfacct counters dropped), and what the rules writer reported, for reports. */
  get notes(): readonly string[] {
    return [...this.lab.notes, ...(this.writer?.notes ?? [])];
  }

  async apply(step: ChangeStep): Promise<ApplyResult> {
    try {
      await this.lab.apply(step.state);
      return { applied: true };
    } catch (err) {
      if (err instanceof LabChangeUnsupported) return { unsupported: err.message };
      throw err;
    }
  }

  async send(step: SendStep): Promise<SendResult> {
    try {
      return { observations: await this.lab.send(step.traffic) };
    } catch (err) {
      if (err instanceof LabChangeUnsupported) return { unsupported: err.message };
      throw err;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.lab.close();
    return this.closing;
  }
}
