import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A ```ts block of a README: where it is, for messages, and its code. */
export interface ReadmeBlock {
  /** `README.md:312`: the file, relative to the repository, and the line of the block's first line of code. */
  readonly where: string;
  readonly code: string;
}

const OPENING = /^\s*```ts\s*$/;
const CLOSING = /^\s*```\s*$/;

/**
 * Every ```ts block of the given READMEs, in order, each with the file and line it starts at.
 *
 * @example
 * ```ts
 * const blocks = readmeBlocks(ROOT, ['README.md', 'packages/core/README.md']);
 * // [{ where: 'README.md:312', code: "import { MigrationManager } from '@strata/core';\n…" }, …]
 * ```
 */
export function readmeBlocks(root: string, files: readonly string[]): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let start: number | undefined;
    lines.forEach((line, index) => {
      if (start === undefined) {
        if (OPENING.test(line)) start = index + 1;
      } else if (CLOSING.test(line)) {
        blocks.push({
          where: `${relative(root, join(root, file))}:${start + 1}`,
          code: `${lines.slice(start, index).join('\n')}\n`,
        });
        start = undefined;
      }
    });
    if (start !== undefined) throw new Error(`${file}:${start}: a \`\`\`ts block is never closed`);
  }
  return blocks;
}
