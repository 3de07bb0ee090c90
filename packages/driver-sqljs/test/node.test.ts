import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlJsDriver } from '@strata/driver-sqljs';
import { fileStorage, openSqlJsFile } from '@strata/driver-sqljs/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let folder: string;
let path: string;
const drivers: SqlJsDriver[] = [];
async function open(): Promise<SqlJsDriver> {
  const driver = await openSqlJsFile(path);
  drivers.push(driver);
  return driver;
}

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'strata-sqljs-'));
  path = join(folder, 'app.db');
});
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((driver) => driver.close()));
  await rm(folder, { recursive: true, force: true });
});

describe('fileStorage', () => {
  it('loads nothing from a missing file and creates none until a save', async () => {
    expect(await fileStorage(path).load()).toBeUndefined();
    expect(await readdir(folder)).toEqual([]);
  });

  it('replaces the file whole and leaves no temporary file behind', async () => {
    const storage = fileStorage(path);
    await storage.save(new Uint8Array([1, 2, 3]));
    await storage.save(new Uint8Array([4, 5]));
    expect([...((await storage.load()) ?? [])]).toEqual([4, 5]);
    expect(await readdir(folder)).toEqual(['app.db']);
  });

  it('removes its temporary file when the rename fails', async () => {
    const target = join(folder, 'taken');
    await mkdir(join(target, 'inside'), { recursive: true });
    await expect(fileStorage(target).save(new Uint8Array([1]))).rejects.toThrow();
    expect(await readdir(folder)).toEqual(['taken']);
  });

  it.skipIf(process.platform === 'win32')('keeps the permissions of the file it replaces', async () => {
    await writeFile(path, new Uint8Array([0]));
    await chmod(path, 0o600);
    const storage = fileStorage(path);
    await storage.load();
    await storage.save(new Uint8Array([1]));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('tells whether the file holds exactly the given bytes, across its comparison chunks', async () => {
    const storage = fileStorage(path);
    expect(await storage.holds(new Uint8Array([1]))).toBe(false);
    const bytes = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => i % 251);
    await storage.save(bytes);
    expect(await storage.holds(bytes)).toBe(true);
    expect(await storage.holds(bytes.subarray(1))).toBe(false);
    const late = bytes.slice();
    late[late.length - 1] = 255;
    expect(await storage.holds(late)).toBe(false);
  });

  it('saves only over the version of the file it last read or saved, and tells when the file changed', async () => {
    const storage = fileStorage(path);
    await storage.save(new Uint8Array([1]));
    expect(await storage.changed()).toBe(false);
    await storage.save(new Uint8Array([2]));
    expect(await storage.changed()).toBe(false);

    // Another program writes the file in place, as SQLite does.
    await writeFile(path, new Uint8Array([3, 3]));
    expect(await storage.changed()).toBe(true);
    await expect(storage.save(new Uint8Array([4]))).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: expect.stringContaining(`${path} was changed by another program since this process read it`),
    });
    expect([...(await readFile(path))]).toEqual([3, 3]);
    // A storage that never read the file does not save over it either.
    await expect(fileStorage(path).save(new Uint8Array([5]))).rejects.toMatchObject({ code: 'DATABASE_ERROR' });
    expect([...((await storage.load()) ?? [])]).toEqual([3, 3]);
    await storage.save(new Uint8Array([6]));
    expect([...(await readFile(path))]).toEqual([6]);
  });

  it('refuses a path that is not a regular file, naming what it is', async () => {
    await expect(fileStorage(folder).load()).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: `${folder} is a folder, not a database file`,
    });
  });
});

describe('openSqlJsFile', () => {
  it('keeps the database in the file across sessions', async () => {
    const first = await open();
    await first.exec(`
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB);
      INSERT INTO t (name, data) VALUES ('a', x'00ff');
    `);
    await first.persist();
    await first.close();

    const header = (await readFile(path)).subarray(0, 16).toString('latin1');
    expect(header).toBe('SQLite format 3\0');
    const second = await open();
    expect(await second.query('SELECT name, data FROM t')).toEqual([{ name: 'a', data: new Uint8Array([0, 255]) }]);
    expect(await second.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
  });

  it('does not write the file when nothing changed', async () => {
    const first = await open();
    await first.exec('CREATE TABLE t (v INTEGER)');
    await first.persist();
    await first.close();
    const before = await stat(path);

    const second = await open();
    await second.query('SELECT * FROM t');
    await second.persist();
    const after = await stat(path);
    // The inode changes on every save, since a save renames a new file over the old one.
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);

    await second.run('INSERT INTO t VALUES (1)');
    await second.persist();
    expect((await stat(path)).ino).not.toBe(before.ino);
    expect(await readdir(folder)).toEqual(['app.db']);
  });

  it('does not save on close', async () => {
    const driver = await open();
    await driver.exec('CREATE TABLE t (v INTEGER)');
    await driver.close();
    expect(await readdir(folder)).toEqual([]);
  });
});
