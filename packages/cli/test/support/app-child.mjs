// An application that shares a database file with the CLI, run by the sharing tests as a separate process: a plain
// better-sqlite3 connection, as an app opens it, outside Strata's lock.
//
// argv[2] is a JSON object: { db, journalMode = 'wal', mode, rows = 20 }. It creates the table app_rows when missing
// and prints "open". Then, by mode:
// - "write": commits one row at a time, printing "committed N" after each commit, until SIGTERM, when it closes the
//   connection and prints "closed";
// - "commit": commits `rows` rows, prints "committed N" after each and "done", and stays open until killed;
// - "lock": opens a write transaction, prints "locked" and keeps it until killed.
// Lines are written synchronously, so a "committed N" the parent has read is a row the database must keep.
import { writeSync } from 'node:fs';
import Database from 'better-sqlite3';

const { db: file, journalMode = 'wal', mode, rows = 20 } = JSON.parse(process.argv[2] ?? '{}');
const say = (line) => writeSync(1, `${line}\n`);
const db = new Database(file, { timeout: 5000 });
db.pragma(`journal_mode = ${journalMode}`);
db.exec('CREATE TABLE IF NOT EXISTS app_rows (n INTEGER PRIMARY KEY, at TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO app_rows (n, at) VALUES (?, ?)');
const last = () => db.prepare('SELECT coalesce(max(n), 0) AS n FROM app_rows').get().n;
setInterval(() => {}, 1000);
say('open');

if (mode === 'commit') {
  const from = last();
  for (let n = from + 1; n <= from + rows; n++) {
    insert.run(n, new Date().toISOString());
    say(`committed ${n}`);
  }
  say('done');
} else if (mode === 'lock') {
  db.exec('BEGIN IMMEDIATE');
  say('locked');
} else if (mode === 'write') {
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  let n = last();
  while (!stopping) {
    try {
      insert.run(n + 1, new Date().toISOString());
      n += 1;
      say(`committed ${n}`);
    } catch (error) {
      say(`failed ${JSON.stringify({ code: error.code, message: error.message })}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  db.close();
  say('closed');
  process.exit(0);
}
