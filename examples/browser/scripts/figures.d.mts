import type { SizeReport } from './bundle.mjs';

/**
 * Every figure under a size marker (`<!-- size: strata.gzipBytes strata.bytes -->`, naming the measurements the next
 * figures in KiB are) that differs from `report` once rounded as it is shown, as `line 309: strata.gzipBytes is
 * 21.3 KiB, not 19.1 KiB`; a text without a marker is a problem too. Empty when every figure is right.
 */
export function checkFigures(text: string, report: SizeReport): string[];

/** `text` with every figure under a size marker set to `report`'s, rounded to the decimals it had. */
export function writeFigures(text: string, report: SizeReport): string;
