// Messages quote attacker-chosen input: always one short line of printable ASCII.
import { InvalidImageReferenceError, parseImageReference, quoteForMessage } from '../../../src/reference';

describe('quoteForMessage', () => {
  test.each([
    { name: 'plain text is quoted', value: 'nginx:1', want: '"nginx:1"' },
    { name: 'empty string', value: '', want: '""' },
    { name: 'double quote and backslash are escaped', value: 'a"b\\c', want: '"a\\"b\\\\c"' },
    { name: 'newline, tab and carriage return use short escapes', value: 'a\nb\tc\rd', want: '"a\\nb\\tc\\rd"' },
    { name: 'NUL and DEL are escaped', value: '\u0000\u007f', want: '"\\u0000\\u007f"' },
    { name: 'zero-width space is escaped', value: 'a\u200bb', want: '"a\\u200bb"' },
    { name: 'astral character is escaped as two code units', value: '\u{1F600}', want: '"\\ud83d\\ude00"' },
    { name: 'long value is cut with its length', value: 'a'.repeat(150), want: `"${'a'.repeat(100)}..." (150 characters)` },
    { name: 'value at the limit is not cut', value: 'a'.repeat(100), want: `"${'a'.repeat(100)}"` },
    { name: 'escapes count toward the limit', value: '\u0000'.repeat(50), want: `"${'\\u0000'.repeat(16)}..." (50 characters)` },
  ])('$name', ({ value, want }) => {
    expect(quoteForMessage(value)).toBe(want);
  });

  test('takes a custom limit', () => {
    expect(quoteForMessage('abcdef', 3)).toBe('"abc..." (6 characters)');
  });
});

describe('InvalidImageReferenceError', () => {
  test.each([
    { name: 'names input and fault', input: 'Foo/bar:1', message: 'invalid image reference "Foo/bar:1": repository path "Foo/bar" must be lowercase' },
    { name: 'escapes a newline in the input', input: 'nginx\n', message: 'invalid image reference "nginx\\n": contains whitespace U+000A at offset 5' },
    { name: 'empty input', input: '', message: 'invalid image reference "": is empty' },
    {
      name: 'cuts a 64 KiB input',
      input: 'a'.repeat(65536),
      message: `invalid image reference "${'a'.repeat(100)}..." (65536 characters): is 65536 characters long, more than the limit of 4096`,
    },
  ])('$name', ({ input, message }) => {
    const error = (() => {
      try {
        parseImageReference(input);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidImageReferenceError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'InvalidImageReferenceError', input, message });
  });
});
