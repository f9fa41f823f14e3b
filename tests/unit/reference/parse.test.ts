// Every valid form of an image string and what it normalizes to.
import { parseImageReference } from '../../../src/reference';
import { VALID_ROWS } from './valid-rows';

describe('parseImageReference accepts and normalizes', () => {
  test.each(VALID_ROWS)('$name', ({ input, want }) => {
    expect(parseImageReference(input)).toStrictEqual(want);
  });
});

describe('parseImageReference results', () => {
  test.each([
    { name: 'tagged reference', input: 'nginx:1' },
    { name: 'digested reference', input: `nginx@sha256:${'0'.repeat(64)}` },
  ])('$name is frozen', ({ input }) => {
    expect(Object.isFrozen(parseImageReference(input))).toBe(true);
  });
});
