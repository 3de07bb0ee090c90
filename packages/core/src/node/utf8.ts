import { StrataError } from '../errors.js';

/**
 * The problem with a file that is not UTF-8, naming the first byte that is not: decoding with replacement characters
 * would change the SQL silently. The loader asks only after Node's `isUtf8` said no.
 *
 * @example
 * ```ts
 * const problem = notUtf8(bytes, '001_init/up.sql', '001'); // "001_init/up.sql is not UTF-8: the byte at offset 7 …"
 * ```
 */
export function notUtf8(bytes: Uint8Array, file: string, version: string | undefined): StrataError {
  const offset = firstInvalidByte(bytes);
  const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
  return new StrataError(
    'INVALID_MIGRATION',
    `${file} is not UTF-8: the byte at offset ${offset} (0x${byte}) does not start a valid character; save the file as UTF-8`,
    { version, file },
  );
}

/**
 * The offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629, which TextDecoder
 * follows), or the length when every byte does.
 */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const shape = sequenceAfter(lead);
    if (shape === undefined) return i;
    const [length, low, high] = shape;
    const second = bytes[i + 1] ?? -1;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k] ?? -1;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return bytes.length;
}

/**
 * The length of the sequence a lead byte starts and the range of its second byte, which is what rules out overlong
 * forms, surrogates and code points beyond U+10FFFF; later bytes are always 0x80–0xBF.
 */
function sequenceAfter(lead: number): readonly [length: number, low: number, high: number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  return undefined;
}
