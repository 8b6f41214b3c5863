import { claimRunOctet } from './addressMap.js';
import { ProxySession } from './session.js';
export function createBackend() {
    return {
        name: 'proxy',
        // Each session binds many loopback listeners and runs real traffic; 2 cores are shared.
        maxConcurrency: 2,
        async check() {
            const claim = await claimRunOctet();
            await claim.release();
        },
        start(scenario, ctx) {
            return ProxySession.start(scenario, ctx);
        },
    };
}
//# sourceMappingURL=index.js.map