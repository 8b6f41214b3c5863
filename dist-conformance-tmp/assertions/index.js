import { checkDistribution } from './distribution.js';
import { checkOutcome } from './outcome.js';
import { checkResponders } from './responders.js';
import { checkSource } from './source.js';
import { checkSticky } from './sticky.js';
export { expectedShares } from './distribution.js';
export function checkExpectation(expectation, observations, context) {
    switch (expectation.kind) {
        case 'outcome':
            return checkOutcome(expectation, observations, context);
        case 'responders':
            return checkResponders(expectation, observations, context);
        case 'distribution':
            return checkDistribution(expectation, observations, context);
        case 'sourceSeen':
            return checkSource(expectation, observations, context);
        case 'sticky':
            return checkSticky(expectation, observations, context);
    }
}
//# sourceMappingURL=index.js.map