import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-core-'));
  made.push(dir);
  return dir;
}

/** Writes `files` (relative path → text) below a fresh folder and returns the folder. */
export function writeTree(files: Readonly<Record<string, string>>): string {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A migration folder's files: `up.sql`, and `meta.yaml` listing `dependencies` when given. */
export function migration(folder: string, dependencies: readonly string[] = []): Record<string, string> {
  const table = folder.replace(/^\d+_/, '');
  const files: Record<string, string> = {
    [`${folder}/up.sql`]: `CREATE TABLE ${table} (id INTEGER PRIMARY KEY);\n`,
    [`${folder}/down.sql`]: `DROP TABLE ${table};\n`,
  };
  if (dependencies.length > 0) files[`${folder}/meta.yaml`] = `dependencies: [${dependencies.map((d) => `"${d}"`).join(', ')}]\n`;
  return files;
}
