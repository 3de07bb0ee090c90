// MD5 (RFC 1321) of a text's UTF-8 bytes, in plain JavaScript so that it runs in browsers as in Node. It is what the
// history table's checksums have always been; no security rests on it. Start-up hashes every up.sql once, so the
// text is encoded into one reused buffer and each block is read as sixteen little-endian words in place.

/** The sine-derived constants of each of the 64 steps: floor(abs(sin(i + 1)) × 2³²). */
const K = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af,
  0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
  0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
  0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97,
  0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
  0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

/** The left rotations of each round, four per round, repeated over its sixteen steps. */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** Texts up to this size are encoded into the shared buffer; a larger one gets a buffer of its own, not kept. */
const SHARED_LIMIT = 1 << 20;

/** The part of `TextEncoder` used here; core's lib has neither DOM nor Node types, and both platforms have it. */
interface Utf8Encoder {
  encodeInto(text: string, into: Uint8Array): { written: number };
}
const encoder = new (globalThis as unknown as { TextEncoder: new () => Utf8Encoder }).TextEncoder();
let shared = new Uint8Array(4096);
const words = new Int32Array(16);

/**
 * The MD5 of `text` encoded as UTF-8 (a lone surrogate as U+FFFD, as every encoder does), as 32 lower-case hex digits.
 *
 * @example
 * ```ts
 * md5Hex('abc'); // '900150983cd24fb0d6963f7d28e17f72'
 * ```
 */
export function md5Hex(text: string): string {
  // UTF-8 takes at most three bytes per UTF-16 code unit; 72 more leave room for the padding.
  const room = text.length * 3 + 72;
  let bytes = shared;
  if (room > bytes.length) {
    bytes = new Uint8Array(room);
    if (room <= SHARED_LIMIT) shared = bytes;
  }
  const length = encoder.encodeInto(text, bytes).written;
  // A 1 bit, zeros up to 8 bytes short of a multiple of 64, then the length in bits as a 64-bit little-endian number.
  const total = (Math.floor((length + 8) / 64) + 1) * 64;
  bytes[length] = 0x80;
  bytes.fill(0, length + 1, total - 8);
  const bitsLow = (length * 8) >>> 0;
  const bitsHigh = Math.floor(length / 0x20000000);
  writeWord(bytes, total - 8, bitsLow);
  writeWord(bytes, total - 4, bitsHigh);

  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let block = 0; block < total; block += 64) {
    for (let i = 0; i < 16; i++) {
      const at = block + i * 4;
      words[i] =
        (bytes[at] as number) |
        ((bytes[at + 1] as number) << 8) |
        ((bytes[at + 2] as number) << 16) |
        ((bytes[at + 3] as number) << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let step = 0; step < 64; step++) {
      let mixed: number;
      let word: number;
      if (step < 16) {
        mixed = (b & c) | (~b & d);
        word = step;
      } else if (step < 32) {
        mixed = (d & b) | (~d & c);
        word = (5 * step + 1) & 15;
      } else if (step < 48) {
        mixed = b ^ c ^ d;
        word = (3 * step + 5) & 15;
      } else {
        mixed = c ^ (b | ~d);
        word = (7 * step) & 15;
      }
      const sum = (a + mixed + (K[step] as number) + (words[word] as number)) | 0;
      const shift = SHIFTS[((step >> 4) << 2) | (step & 3)] as number;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  return hexOf(a0) + hexOf(b0) + hexOf(c0) + hexOf(d0);
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word & 0xff;
  bytes[at + 1] = (word >>> 8) & 0xff;
  bytes[at + 2] = (word >>> 16) & 0xff;
  bytes[at + 3] = (word >>> 24) & 0xff;
}

/** A word's four bytes, least significant first, as MD5's digest is written. */
function hexOf(word: number): string {
  return (
    (HEX[word & 0xff] as string) +
    (HEX[(word >>> 8) & 0xff] as string) +
    (HEX[(word >>> 16) & 0xff] as string) +
    (HEX[(word >>> 24) & 0xff] as string)
  );
}
