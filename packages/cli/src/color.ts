import type { TextSink } from './io.js';

/** Wraps text in one style; the identity when colour is off. */
export type Style = (text: string) => string;

/** The styles the CLI uses. */
export interface Palette {
  readonly green: Style;
  readonly yellow: Style;
  readonly red: Style;
  readonly dim: Style;
  readonly bold: Style;
}

const plain: Style = (text) => text;

/** The palette with every style off, for `--json`, pipes and `NO_COLOR`. */
export const noColor: Palette = { green: plain, yellow: plain, red: plain, dim: plain, bold: plain };

// `close` is the attribute reset for this style alone, so a styled word inside a styled line does not end both.
const sgr =
  (open: number, close: number): Style =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const ansi: Palette = { green: sgr(32, 39), yellow: sgr(33, 39), red: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) };

/**
 * Whether to colour `stream`: never when `NO_COLOR` is set to anything non-empty (no-color.org), always when
 * `FORCE_COLOR` is set to anything but `0` or `false`, otherwise only on a terminal that is not `TERM=dumb`.
 */
export function colorEnabled(stream: TextSink, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * The palette for one stream.
 *
 * @example
 * ```ts
 * const c = paletteFor(process.stdout, process.env);
 * process.stdout.write(`${c.green('✓')} done\n`);
 * ```
 */
export function paletteFor(stream: TextSink, env: Readonly<Record<string, string | undefined>>): Palette {
  return colorEnabled(stream, env) ? ansi : noColor;
}
