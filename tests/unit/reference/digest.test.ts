// validateDigest: only registered algorithms with their exact lowercase hex length pin content.
import { DIGEST_HEX_LENGTHS, validateDigest } from '../../../src/reference';

describe('validateDigest accepts registered algorithms', () => {
  test.each(
    Object.entries(DIGEST_HEX_LENGTHS).map(([algorithm, length]) => ({
      name: `${algorithm} with ${length} hex`,
      digest: `${algorithm}:${'0123456789abcdef'.repeat(8).slice(0, length)}`,
    })),
  )('$name', ({ digest }) => {
    expect(validateDigest(digest)).toBeUndefined();
  });
});

describe('validateDigest refuses', () => {
  test.each([
    { name: 'no colon', digest: 'sha256', fault: /must be written algorithm:hex/ },
    { name: 'empty', digest: '', fault: /must be written algorithm:hex/ },
    { name: 'no algorithm', digest: ':abc', fault: /no algorithm/ },
    { name: 'unknown algorithm', digest: 'sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709', fault: /^unsupported digest algorithm "sha1"/ },
    { name: 'algorithm with encoding suffix', digest: `sha256+b64u:${'a'.repeat(43)}`, fault: /unsupported digest algorithm "sha256\+b64u"/ },
    { name: 'prototype key __proto__', digest: `__proto__:${'a'.repeat(64)}`, fault: /unsupported digest algorithm "__proto__"/ },
    { name: 'prototype key toString', digest: `toString:${'a'.repeat(64)}`, fault: /unsupported digest algorithm "toString"/ },
    { name: 'long algorithm is quoted short', digest: `${'x'.repeat(500)}:00`, fault: /^unsupported digest algorithm "x{20}\.\.\." \(500 characters\)/ },
    { name: 'sha256 short', digest: `sha256:${'a'.repeat(63)}`, fault: /^sha256 digest must be 64 lowercase hex characters, got 63$/ },
    { name: 'sha256 upper-case', digest: `sha256:${'a'.repeat(63)}F`, fault: /got "F" at hex offset 63$/ },
    { name: 'sha384 short', digest: `sha384:${'a'.repeat(95)}`, fault: /^sha384 digest must be 96 lowercase hex characters, got 95$/ },
    { name: 'sha512 long', digest: `sha512:${'a'.repeat(129)}`, fault: /^sha512 digest must be 128 lowercase hex characters, got 129$/ },
    { name: 'base64 padding', digest: `sha256:${'a'.repeat(63)}=`, fault: /got "=" at hex offset 63/ },
  ])('$name', ({ digest, fault }) => {
    expect(validateDigest(digest)).toMatch(fault);
  });
});
