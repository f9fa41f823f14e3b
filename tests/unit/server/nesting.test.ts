// The nesting scan that runs before JSON.parse: named rows, strings and escapes included.
import { nestsDeeperThan } from '../../../src/server/body';

test.each([
  { name: 'an ImageReview nests five levels', text: '{"spec":{"containers":[{"image":"x"}],"annotations":{"a":"b"}}}', depth: 4, deeper: false },
  { name: 'exactly at the limit', text: '['.repeat(4) + ']'.repeat(4), depth: 4, deeper: false },
  { name: 'one over the limit', text: '['.repeat(5) + ']'.repeat(5), depth: 4, deeper: true },
  { name: 'brackets inside a string do not nest', text: '{"a":"[[[[[[[[[["}', depth: 2, deeper: false },
  { name: 'an escaped quote does not end the string', text: '{"a":"\\"[[[[[[[[[["}', depth: 2, deeper: false },
  { name: 'an escaped backslash before the closing quote', text: '{"a":"\\\\"}[[[[[', depth: 2, deeper: true },
  { name: 'unclosed brackets', text: '['.repeat(100), depth: 32, deeper: true },
  { name: 'many shallow siblings', text: `[${'[],'.repeat(10_000)}[]]`, depth: 2, deeper: false },
])('$name', ({ text, depth, deeper }) => {
  expect(nestsDeeperThan(Buffer.from(text), depth)).toBe(deeper);
});
