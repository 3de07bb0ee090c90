import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { DriverFactory } from '@strata/core';
import { DatabaseManager } from '@strata/core/node';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

/** A driver factory that must not be reached: the file is refused before anything is opened. */
const never: DriverFactory = {
  name: 'never',
  open: () => Promise.reject(new Error('the database was opened')),
};

const open = (file: string) => DatabaseManager.open({ file, driver: never, migrations: {} });

describe('DatabaseManager.open with a file that cannot hold a database', () => {
  it('refuses an empty file name, which would be the working folder', async () => {
    await expect(open('')).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: 'file is empty; name a database file, such as data/app.db',
    });
  });

  it('refuses a folder, naming it, and creates nothing in it', async () => {
    const folder = tempDir();
    await expect(open(folder)).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      file: folder,
      message: `file names ${folder}, which is a folder, not a database file; name a file in it, such as ${join(folder, 'app.db')}`,
    });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses a socket and a named pipe, and leaves them as they are', async () => {
    const folder = tempDir();
    const socket = join(folder, 'app.sock');
    const server = createServer();
    await new Promise<void>((done) => server.listen(socket, done));
    try {
      await expect(open(socket)).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        file: socket,
        message: `file names ${socket}, which is a socket, not a regular file that can hold a database`,
      });
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
    const fifo = join(folder, 'app.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(open(fifo)).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      file: fifo,
      message: expect.stringContaining('named pipe'),
    });
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('follows a symbolic link to a regular file, and to a folder, which it refuses', async () => {
    const folder = tempDir();
    writeFileSync(join(folder, 'app.db'), '');
    symlinkSync('app.db', join(folder, 'link.db'));
    await expect(open(join(folder, 'link.db'))).rejects.toThrow('the database was opened');
    mkdirSync(join(folder, 'data'));
    symlinkSync('data', join(folder, 'data.db'));
    await expect(open(join(folder, 'data.db'))).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('folder'),
    });
  });
});
