import { answered, countBy, formatCounts, result } from './context.js';
function label(r) {
    return 'pod' in r ? `pod ${r.pod}` : `node ${r.node}`;
}
function answersFrom(r, observations) {
    return observations.filter((o) => ('pod' in r ? o.pod === r.pod : o.node === r.node)).length;
}
export const checkResponders = (expectation, observations, context) => {
    const ok = answered(observations);
    const byPod = countBy(ok, (o) => (o.pod === undefined ? undefined : `${o.pod}${o.node ? ` (${o.node})` : ''}`));
    const problems = [];
    if (expectation.may !== undefined) {
        const allowed = expectation.may;
        const outsiders = ok.filter((o) => !allowed.some((r) => ('pod' in r ? o.pod === r.pod : o.node === r.node)));
        if (outsiders.length > 0) {
            const who = countBy(outsiders, (o) => o.pod ?? o.endpoint ?? 'unknown responder');
            problems.push(`only ${allowed.map(label).join(', ')} may answer, but ${formatCounts(who)} answers came from others`);
        }
    }
    for (const r of expectation.must ?? []) {
        if (answersFrom(r, ok) === 0)
            problems.push(`${label(r)} must answer but never did`);
    }
    for (const r of expectation.mustNot ?? []) {
        const n = answersFrom(r, ok);
        if (n > 0)
            problems.push(`${label(r)} must not answer but answered ${n} time${n === 1 ? '' : 's'}`);
    }
    const details = { n: ok.length, observed: Object.fromEntries(byPod) };
    const seen = `answers: ${formatCounts(byPod)}`;
    if (problems.length === 0)
        return result('responders', true, `responders as expected; ${seen}`, expectation.loc, context.cwd, details);
    return result('responders', false, `${problems.join('; ')} (${seen})`, expectation.loc, context.cwd, details);
};
//# sourceMappingURL=responders.js.map