/**
 * A number in meta.yaml that JavaScript cannot hold as written: an integer beyond 2^53 (`99999999999999999999` would
 * be read as 100000000000000000000) or a number too large for a double (`1e400` would be Infinity). Both YAML
 * readers give one in place of such a number, so that the problem can name the text as written.
 *
 * @example
 * ```ts
 * numberAsWritten('1e400', Number.parseFloat('1e400')); // InexactNumber { text: '1e400' }
 * ```
 */
export class InexactNumber {
  constructor(readonly text: string) {}
}

/** The forms of YAML's core schema that are integers: decimal, hexadecimal and octal. */
const INTEGER_FORM = /^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$/;
/** Infinity and NaN as YAML spells them on purpose. */
const NOT_FINITE_FORM = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/**
 * `value`, the number a YAML scalar written `text` resolves to, or an {@link InexactNumber} when that is not the
 * number written: an integer form that is not a safe integer, or a finite form that overflowed.
 */
export function numberAsWritten(text: string, value: number): number | InexactNumber {
  const exact = INTEGER_FORM.test(text) ? Number.isSafeInteger(value) : Number.isFinite(value) || NOT_FINITE_FORM.test(text);
  return exact ? value : new InexactNumber(text);
}
