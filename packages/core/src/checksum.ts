import { md5Hex } from './md5.js';

/**
 * Folds a SQL file to the form that is checksummed: a leading UTF-8 byte-order mark dropped and CRLF line endings
 * folded to LF, so a checkout on Windows or an editor that adds a BOM does not look like an edit.
 */
export function normalizeSql(text: string): string {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return withoutBom.includes('\r') ? withoutBom.replace(/\r\n/g, '\n') : withoutBom;
}

/**
 * The checksum of an up.sql: MD5 hex of its normalised UTF-8 bytes. The same code runs in Node and in browsers.
 *
 * @example
 * ```ts
 * checksumOf('CREATE TABLE t (id INTEGER);\r\n') === checksumOf('CREATE TABLE t (id INTEGER);\n'); // true
 * ```
 */
export function checksumOf(sql: string): string {
  return md5Hex(normalizeSql(sql));
}

/**
 * Whether two checksums are the same: hex digits compared without regard to case, since other tools record them in
 * upper case.
 *
 * @example
 * ```ts
 * sameChecksum('A1B2C3', 'a1b2c3'); // true
 * ```
 */
export function sameChecksum(a: string, b: string): boolean {
  return a === b || (a.length === b.length && a.toLowerCase() === b.toLowerCase());
}
