// JSON read the way a signature needs it: from the exact bytes, valid UTF-8 without a byte-order
// mark, and no object with the same key twice. JSON.parse keeps the last of two equal keys while
// other parsers keep the first, so a duplicate is how one signed payload could mean two things.

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export type StrictJson = { ok: true; value: unknown } | { ok: false; fault: string };

interface Frame {
  readonly keys: Set<string> | undefined;
  expectKey: boolean;
}

/** Scans valid JSON text once for an object key written twice (after unescaping, so "a" = "\u0061"). */
function findDuplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charAt(index);
    const top = stack[stack.length - 1];
    if (character === '"') {
      const start = index;
      for (index += 1; text.charAt(index) !== '"'; index += 1) if (text.charAt(index) === '\\') index += 1;
      if (top?.keys !== undefined && top.expectKey) {
        const key = JSON.parse(text.slice(start, index + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
    } else if (character === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (character === '[') stack.push({ keys: undefined, expectKey: false });
    else if (character === '}' || character === ']') stack.pop();
    else if (character === ',' && top?.keys !== undefined) top.expectKey = true;
  }
  return undefined;
}

export function parseStrictJson(bytes: Uint8Array): StrictJson {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, fault: 'is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, fault: 'is not JSON' };
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) return { ok: false, fault: `has the key ${JSON.stringify(duplicate.slice(0, 40))} twice in one object` };
  return { ok: true, value };
}
