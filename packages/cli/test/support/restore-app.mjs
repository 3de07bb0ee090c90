// An application that keeps a database open while the CLI works on it, for the backup and restore tests. Plain
// JavaScript, so that it runs without a compile step.
//
// argv[2] is a JSON object: { db, insert?, keepInWal? }. The child opens `db` with better-sqlite3 in WAL mode, inserts
// one users row per email in `insert`, prints "ready" and stays open. With `keepInWal`, SQLite never checkpoints, so
// every commit of the child stays in the -wal file, as it does in a busy application between checkpoints. On SIGUSR2
// it prints "seen [emails…]" (what its own connection reads now), inserts "after-restore@x", prints "wrote" and exits
// without closing the connection. Lines are written synchronously, so a line the parent has read is a step the child
// has reached.
import { writeSync } from 'node:fs';
import Database from 'better-sqlite3';

const { db: file, insert = [], keepInWal = false } = JSON.parse(process.argv[2] ?? '{}');
const say = (line) => writeSync(1, `${line}\n`);
const db = new Database(file, { timeout: 5000 });
db.pragma('journal_mode = WAL');
if (keepInWal) db.pragma('wal_autocheckpoint = 0');
const add = db.prepare('INSERT INTO users (email) VALUES (?)');
for (const email of insert) add.run(email);
// A timer keeps the process alive while it waits for its signal.
const alive = setInterval(() => {}, 1000);
process.on('SIGUSR2', () => {
  say(`seen ${JSON.stringify(db.prepare('SELECT email FROM users ORDER BY id').pluck().all())}`);
  add.run('after-restore@x');
  say('wrote');
  clearInterval(alive);
  process.exit(0);
});
say('ready');
