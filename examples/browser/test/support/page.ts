import type { Page } from 'playwright-core';
import initSqlJs from 'sql.js';
import type { PageState } from '../../src/page-state.js';

/** What the page shows, as data (`window.strata`). */
export async function pageState(page: Page): Promise<PageState> {
  const state = await page.evaluate(() => window.strata);
  if (state === undefined) throw new Error('the page has not published its state');
  return state;
}

/** Waits until the page has finished `actions` actions (the migration on load is the first) or failed to open. */
export async function waitForActions(page: Page, actions: number): Promise<PageState> {
  await page.waitForFunction(
    (n) => window.strata?.phase === 'failed' || (window.strata?.phase === 'ready' && window.strata.actions >= n),
    actions,
  );
  return pageState(page);
}

/** The bytes stored under `key` in IndexedDB, read by `page` itself (any page of the example's origin). */
export async function storedBytes(page: Page, key: string): Promise<Buffer | undefined> {
  const base64 = await page.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('strata', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('databases');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      const value = await new Promise<unknown>((resolve, reject) => {
        const request = db.transaction('databases', 'readonly').objectStore('databases').get(key);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      if (!(value instanceof Uint8Array)) return null;
      let binary = '';
      for (const byte of value) binary += String.fromCharCode(byte);
      return btoa(binary);
    } finally {
      db.close();
    }
  }, key);
  return base64 === null ? undefined : Buffer.from(base64, 'base64');
}

const SQL = initSqlJs();

/** Reads a stored database in Node: its history and tables, and what `PRAGMA quick_check` says of it. */
export async function inspectStored(bytes: Uint8Array): Promise<{ history: string[]; tables: string[]; quickCheck: string }> {
  const db = new (await SQL).Database(bytes);
  try {
    const column = (sql: string) => (db.exec(sql)[0]?.values ?? []).map((row) => String(row[0]));
    return {
      history: column('SELECT version FROM schema_migrations ORDER BY version'),
      tables: column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
      quickCheck: column('PRAGMA quick_check').join('; '),
    };
  } finally {
    db.close();
  }
}
