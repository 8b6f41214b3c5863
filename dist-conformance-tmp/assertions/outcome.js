import { countBy, formatCounts, result } from './context.js';
const verb = {
    ok: 'be answered',
    timeout: 'time out',
    refused: 'be refused',
    reset: 'be reset',
    unreachable: 'be unreachable',
};
export const checkOutcome = (expectation, observations, context) => {
    const n = observations.length;
    const counts = countBy(observations, (o) => o.outcome);
    const matching = counts.get(expectation.outcome) ?? 0;
    const details = { n, expected: expectation.outcome, count: expectation.count, observed: Object.fromEntries(counts) };
    const want = expectation.count === 'all' ? n : expectation.count;
    const passed = n > 0 && matching === want;
    const what = verb[expectation.outcome] ?? expectation.outcome;
    const expected = expectation.count === 'all'
        ? `all ${n} requests to ${what} (${expectation.outcome})`
        : `exactly ${expectation.count} of ${n} requests to ${what} (${expectation.outcome})`;
    if (passed)
        return result('outcome', true, `${expected}: ${formatCounts(counts)}`, expectation.loc, context.cwd, details);
    const example = observations.find((o) => o.outcome !== expectation.outcome && o.detail !== undefined);
    const hint = example?.detail !== undefined ? ` (e.g. ${example.outcome}: ${example.detail})` : '';
    const got = n === 0 ? 'no requests were sent' : `got ${formatCounts(counts)}`;
    return result('outcome', false, `expected ${expected}, ${got}${hint}`, expectation.loc, context.cwd, details);
};
//# sourceMappingURL=outcome.js.map