/** Judge one expectation: dispatch on its kind to the assertion written for it. */
import type { Expectation } from '../model/scenario.js';
import type { Observation } from '../observe/observation.js';
import type { AssertionResult } from '../report/result.js';
import type { AssertionContext } from './context.js';
import { checkDistribution } from './distribution.js';
import { checkOutcome } from './outcome.js';
import { checkResponders } from './responders.js';
import { checkSource } from './source.js';
import { checkSticky } from './sticky.js';

export type { AssertionContext } from './context.js';
export { expectedShares } from './distribution.js';

export function checkExpectation(expectation: Expectation, observations: Observation[], context: AssertionContext): AssertionResult {
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
