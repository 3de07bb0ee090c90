// The size figures a README quotes, checked against a measurement (`size --check`) or written from one
// (`size --write`). A comment `<!-- size: strata.gzipBytes strata.bytes -->` says which measurements the next
// figures in KiB are, in order: the figures stay in the prose, and the command owns them.

// Not one quoted in a code span (after a backtick), which only shows what a marker looks like.
const MARKER = /(?<!`)<!--\s*size:([^>]*?)-->/g;
const FIGURE = /(\d+(?:\.\d+)?) KiB/g;

/** The figures the size markers of `text` claim: where each is, what it shows, and which measurement it is. */
function claimedFigures(text) {
  const figures = [];
  const problems = [];
  for (const marker of text.matchAll(MARKER)) {
    const keys = marker[1].trim().split(/\s+/).filter(Boolean);
    FIGURE.lastIndex = marker.index + marker[0].length;
    for (const key of keys) {
      const figure = FIGURE.exec(text);
      if (figure === null) {
        const line = lineOf(text, marker.index);
        problems.push({ line, text: `line ${line}: the size marker names ${key}, but no figure in KiB follows for it` });
        break;
      }
      figures.push({ key, shown: figure[1], index: figure.index, line: lineOf(text, figure.index) });
    }
  }
  if (figures.length === 0 && problems.length === 0) {
    problems.push({ line: 0, text: 'no size marker (<!-- size: strata.gzipBytes … -->) found' });
  }
  return { figures, problems };
}

/** `report.strata.gzipBytes` for the key `strata.gzipBytes`, in KiB with the decimals the figure shows. */
function measured(report, key, shown) {
  const [part, field] = key.split('.');
  const bytes = report[part]?.[field];
  if (typeof bytes !== 'number') return undefined;
  return (bytes / 1024).toFixed(shown.split('.')[1]?.length ?? 0);
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/**
 * Every figure under a size marker of `text` that differs from `report` once rounded as it is shown, as
 * `line 309: strata.gzipBytes is 21.3 KiB, not 19.1 KiB`; empty when every figure is right.
 */
export function checkFigures(text, report) {
  const { figures, problems } = claimedFigures(text);
  for (const { key, shown, line } of figures) {
    const actual = measured(report, key, shown);
    if (actual === undefined) {
      problems.push({ line, text: `line ${line}: ${key} is not a measurement (strata.bytes, sqlJsWasm.gzipBytes, …)` });
    } else if (actual !== shown) {
      problems.push({ line, text: `line ${line}: ${key} is ${actual} KiB, not ${shown} KiB` });
    }
  }
  return problems.sort((a, b) => a.line - b.line).map((problem) => problem.text);
}

/** `text` with every figure under a size marker set to `report`'s, rounded to the decimals it had. */
export function writeFigures(text, report) {
  const { figures } = claimedFigures(text);
  let written = text;
  // From the end, so that a figure of another length does not move the ones still to write.
  for (const { key, shown, index } of figures.reverse()) {
    const actual = measured(report, key, shown);
    if (actual !== undefined) written = `${written.slice(0, index)}${actual}${written.slice(index + shown.length)}`;
  }
  return written;
}
