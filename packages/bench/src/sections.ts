// Sections of BENCHMARKS.md that `pnpm bench --only <section>` measures and writes on their own, leaving the rest of
// the file as the last full run wrote it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Where a section goes when the file does not have it yet: before this heading, or at the end. */
const BEFORE = '## How it is measured';

/**
 * `markdown` with the section that starts with `heading` (a `## ` line) replaced by `lines`, or inserted before the
 * method section when it has none. A section runs to the next `## ` heading.
 */
export function spliceSection(markdown: string, heading: string, lines: readonly string[]): string {
  const text = `${lines.join('\n')}\n\n`;
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start >= 0) {
    const next = markdown.indexOf('\n## ', start + heading.length + 2);
    return `${markdown.slice(0, start + 1)}${text}${next < 0 ? '' : markdown.slice(next + 1)}`;
  }
  const before = markdown.indexOf(`\n${BEFORE}\n`);
  if (before < 0) return `${markdown.trimEnd()}\n\n${text.trimEnd()}\n`;
  return `${markdown.slice(0, before + 1)}${text}${markdown.slice(before + 1)}`;
}

/** The section of `markdown` that starts with `heading`, as lines without its trailing blank line; undefined without. */
export function sectionOf(markdown: string, heading: string): string[] | undefined {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) return undefined;
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown
    .slice(start + 1, next < 0 ? undefined : next)
    .trimEnd()
    .split('\n');
}

/** Writes `lines` as the section `heading` of the report `file`, which may not exist yet. */
export function writeSection(file: string, heading: string, lines: readonly string[]): void {
  const markdown = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  writeFileSync(file, spliceSection(markdown, heading, lines));
}
