import { Lab, LabChangeUnsupported } from './lab.js';
export class NetnsSession {
    lab;
    closing;
    constructor(lab) {
        this.lab = lab;
    }
    /** Brings the scenario's initial cluster up; Ctrl-C (the context's signal) tears it down. */
    static async start(scenario, ctx, rulesFor) {
        ctx.signal.throwIfAborted();
        const lab = await Lab.up(scenario.initial, { rulesFor, log: ctx.log });
        const session = new NetnsSession(lab);
        if (ctx.signal.aborted) {
            await session.close();
            ctx.signal.throwIfAborted();
        }
        ctx.signal.addEventListener('abort', () => void session.close(), { once: true });
        return session;
    }
    /** The rules as the kernel of `node` holds them (`iptables-save` inside the node). */
    kernelRules(node) {
        return this.lab.iptablesSave(node);
    }
    /** Adjustments the lab made (e.g. nfacct counters dropped), for reports. */
    get notes() {
        return this.lab.notes;
    }
    async apply(step) {
        try {
            await this.lab.apply(step.state);
            return { applied: true };
        }
        catch (err) {
            if (err instanceof LabChangeUnsupported)
                return { unsupported: err.message };
            throw err;
        }
    }
    async send(step) {
        try {
            return { observations: await this.lab.send(step.traffic) };
        }
        catch (err) {
            if (err instanceof LabChangeUnsupported)
                return { unsupported: err.message };
            throw err;
        }
    }
    close() {
        this.closing ??= this.lab.close();
        return this.closing;
    }
}
//# sourceMappingURL=session.js.map