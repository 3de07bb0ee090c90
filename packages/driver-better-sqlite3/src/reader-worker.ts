// One reader of the pool in `readers.ts`: a worker thread with its own read-only connection. It answers one request at
// a time, in order; the pool spreads requests over several of these.
import { parentPort, workerData } from 'node:worker_threads';
import type { Row } from '@strata/core';
import Database from 'better-sqlite3';
import { failureOf, type ReaderReply, type ReaderRequest, type ReaderWorkerData } from './reader-protocol.js';

const port = parentPort;
if (port === null) throw new Error('reader-worker.js runs only as a worker thread of the reader pool');
const reply = (message: ReaderReply) => port.postMessage(message);
const { file, busyTimeoutMs } = workerData as ReaderWorkerData;

let database: Database.Database | undefined;
try {
  // fileMustExist: a reader must never create an empty database where the writer's file was expected.
  database = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'failed', error: failureOf(error) });
  port.close();
}

if (database !== undefined) {
  const db = database;
  port.on('message', (request: ReaderRequest) => reply(answer(db, request)));
}

function answer(db: Database.Database, { id, sql, params }: ReaderRequest): ReaderReply {
  try {
    const statement = db.prepare(sql);
    // The connection is read-only anyway; refusing here gives one clear error before SQLite's own, and also refuses
    // statements that write nothing to the file but would change this connection (BEGIN, PRAGMA x = y).
    if (!statement.readonly || !statement.reader) return { type: 'refused', id };
    return { type: 'rows', id, rows: statement.all(...params) as Row[] };
  } catch (error) {
    return { type: 'error', id, error: failureOf(error) };
  }
}
