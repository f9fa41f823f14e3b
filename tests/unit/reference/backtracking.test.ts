// Catastrophic-backtracking guard: hostile image strings (up to 64 KiB) are refused, and the
// exported grammar pieces do not match them. A backtracking expression would not finish within
// the test's timeout; how fast each is refused is measured by make bench (hostile part), because
// a time bound in a test measures the machine as much as the code.
import { InvalidImageReferenceError, parseImageReference } from '../../../src/reference';
import { HOSTILE_GRAMMAR_INPUTS, HOSTILE_REFERENCES } from '../../support/hostile-references';

describe('parseImageReference refuses hostile input', () => {
  test.each(HOSTILE_REFERENCES)('$name', ({ input }) => {
    expect(() => parseImageReference(input)).toThrow(InvalidImageReferenceError);
  });
});

describe('exported grammar pieces do not match hostile input', () => {
  test.each(HOSTILE_GRAMMAR_INPUTS)('$name', ({ pattern, input }) => {
    expect(pattern.test(input)).toBe(false);
  });
});
