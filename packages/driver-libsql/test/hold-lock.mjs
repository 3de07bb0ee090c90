// Holds a write lock on a libSQL file for a while: node hold-lock.mjs '{"url":"file:…","holdMs":300}'.
import { createClient } from '@libsql/client';

const { url, holdMs } = JSON.parse(process.argv[2] ?? '{}');
const client = createClient({ url });
const writing = await client.transaction('write');
await writing.execute('INSERT INTO t VALUES (2)');
console.log('locked');
await new Promise((resolve) => setTimeout(resolve, holdMs));
await writing.commit();
client.close();
