import { SimSession } from './session.js';
export function createBackend() {
    return {
        name: 'sim',
        maxConcurrency: 4,
        async check() {
            // Pure TypeScript: always available.
        },
        async start(scenario, ctx) {
            return new SimSession(scenario, ctx);
        },
    };
}
//# sourceMappingURL=index.js.map