import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';

const README = new URL('../../../README.md', import.meta.url);

/** The command names the rows of the README's CLI table start with (several in one row: `repair …`, `baseline …`). */
function tableCommands(text: string): string[] {
  const section = text.slice(text.indexOf('## The CLI'));
  const table = section.slice(section.indexOf('| command'), section.indexOf('\n\n', section.indexOf('| command')));
  return table
    .split('\n')
    .slice(2)
    .flatMap((row) => [...(row.split(' | ')[0] ?? '').matchAll(/`([a-z][a-z-]*)\b/g)].map((m) => m[1] ?? ''));
}

describe("the README's CLI table", () => {
  it('lists every command, and no command the CLI does not have', () => {
    const listed = tableCommands(readFileSync(README, 'utf8'));
    const names = commands.map((c) => c.name);
    expect(names.filter((name) => !listed.includes(name))).toEqual([]);
    expect(listed.filter((name) => name !== 'help' && !names.includes(name))).toEqual([]);
  });
});
