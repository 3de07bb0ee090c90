// splitStatements lives in core, which has no SQLite; this package has one, so SQLite itself checks the splitter here.
import { splitStatements } from '@strata/core';
import fc from 'fast-check';
import initSqlJs, { type Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** How many random scripts each property tries; `SPLIT_RUNS=30000` searches longer. */
const RUNS = Number(process.env.SPLIT_RUNS ?? 1000);

let db: Database;
beforeAll(async () => {
  const SQL = await initSqlJs();
  db = new SQL.Database();
  // Statements are only prepared, never run, but preparing one needs the tables it names.
  db.run('CREATE TABLE t (a, b)');
});
afterAll(() => db.close());

/**
 * SQLite's own statement boundaries: each prepared statement's `getSQL()` is the text from where the previous one
 * ended (white space, comments and empty `;` included) through its semicolon, or to the end for the last one.
 */
function sqliteStatements(sql: string): string[] {
  const texts: string[] = [];
  for (const statement of db.iterateStatements(sql)) texts.push(statement.getSQL());
  return texts;
}

// ---- pieces of scripts ---------------------------------------------------------------------------------------------

/** A keyword in any mixture of upper and lower case. */
const keyword = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

/** Text full of the characters that could fool a splitter. */
const tricky = fc
  .array(fc.constantFrom(';', "'", '"', '`', '[', ']', '-', '/', '*', '\n', ' ', 'a', 'END', 'é', '😀', ';END;', 'BEGIN'), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

const lineComment = tricky.map((text) => `-- ${text.replace(/[\r\n]/g, ' ')}\n`);
const blockComment = tricky.map((text) => `/*${text.replace(/\*\//g, '* /')}*/`);
const comment = fc.oneof(lineComment, blockComment);

/** Where a space must be: at least one white-space character, sometimes with comments. */
const gap = fc
  .tuple(fc.constantFrom(' ', '\n', '\t', '\r\n', '  \n'), fc.array(comment, { maxLength: 2 }), fc.constantFrom('', ' ', '\n'))
  .map(([space, comments, after]) => `${space}${comments.join('')}${after}`);

const stringLiteral = tricky.map((text) => `'${text.replace(/'/g, "''")}'`);
const blob = fc
  .tuple(fc.constantFrom('x', 'X'), fc.uint8Array({ maxLength: 4 }))
  .map(([x, bytes]) => `${x}'${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}'`);
const number = fc.integer({ min: 0, max: 9999 }).map(String);

const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringLiteral,
    blob,
    number,
    fc
      .tuple(keyword('case'), gap, tie('expr'), gap, tie('expr'), gap, keyword('end'))
      .map(([kcase, g1, when, g2, then, g3, kend]) => `${kcase} WHEN${g1}${when}${g2}THEN ${then}${g3}${kend}`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a} || ${b})`),
  ),
})).expr;

/** A column alias in every quoting SQLite knows, with semicolons and quotes inside the quoted ones. */
const alias = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/).map((name) => `c_${name}`),
  tricky.map((text) => `"${text.replace(/"/g, '""')}"`),
  tricky.map((text) => `[${text.replace(/]/g, ')')}]`),
  tricky.map((text) => `\`${text.replace(/`/g, '``')}\``),
);

const select = fc
  .array(fc.tuple(expression, alias), { minLength: 1, maxLength: 3 })
  .map((columns) => `SELECT ${columns.map(([e, a]) => `${e} AS ${a}`).join(', ')}`);

const dml = fc.oneof(
  fc.tuple(expression, expression).map(([a, b]) => `INSERT INTO t VALUES (${a}, ${b})`),
  fc.tuple(expression, gap, expression).map(([a, g, b]) => `UPDATE t SET a = ${a}${g}WHERE b = ${b}`),
  expression.map((e) => `DELETE FROM t WHERE a = ${e}`),
  fc.tuple(keyword('select'), expression).map(([k, e]) => `${k} ${e}`),
);

/** A trigger whose body has statements with semicolons, CASE … END and comments before the closing END. */
const trigger = fc
  .tuple(
    fc.constantFrom('', 'EXPLAIN ', 'explain query plan '),
    keyword('create'),
    gap,
    fc.constantFrom('', 'TEMP ', 'temporary\n'),
    keyword('trigger'),
    fc.option(expression, { nil: undefined }),
    keyword('begin'),
    fc.array(fc.tuple(gap, dml), { minLength: 1, maxLength: 3 }),
    gap,
    keyword('end'),
  )
  .map(([explain, create, g0, temp, trig, when, begin, body, g, end]) => {
    const condition = when === undefined ? '' : ` WHEN new.a = ${when}`;
    const statements = body.map(([space, statement]) => `${space}${statement};`).join('');
    return `${explain}${create}${g0}${temp}${trig} IF NOT EXISTS tr AFTER INSERT ON t${condition} ${begin}${statements}${g}${end}`;
  });

const transactionControl = fc.constantFrom(
  'BEGIN',
  'begin immediate transaction',
  'COMMIT',
  'END',
  'end transaction',
  'ROLLBACK',
  'SAVEPOINT sp',
  'RELEASE sp',
);

const statement = fc.oneof(
  select,
  dml,
  trigger,
  transactionControl,
  fc.tuple(alias, stringLiteral).map(([name, value]) => `CREATE TABLE IF NOT EXISTS ${name} (x TEXT DEFAULT ${value})`),
  fc.tuple(keyword('create'), select).map(([create, query]) => `${create} VIEW IF NOT EXISTS v AS ${query}`),
  select.map((query) => `EXPLAIN QUERY PLAN ${query}`),
  expression.map((e) => `WITH x(n) AS (SELECT ${e}) SELECT n FROM x`),
);

/** Between statements: a semicolon, sometimes empty statements (`;;`, or only a comment between semicolons). */
const separator = fc
  .tuple(fc.constantFrom('', ' ', '\n'), fc.array(fc.tuple(gap, fc.constant(';')), { maxLength: 2 }), gap)
  .map(([before, empties, after]) => `${before};${empties.map(([g, s]) => g + s).join('')}${after}`);

/** The end of a script: maybe a last semicolon, maybe a comment that is never closed or has no newline. */
const ending = fc.constantFrom('', ';', ';\n', ' -- the end', ';/* never closed ;', '\n/* closed */ ;  ', ';;');

/** A script, and the text of each statement in it as the generator wrote it. */
const script = fc
  .tuple(
    fc.constantFrom('', '\n', '  -- intro; not a statement\n', '/* a; */ ', ';'),
    fc.array(fc.tuple(statement, separator)),
    fc.option(statement),
    ending,
  )
  .map(([start, parts, last, end]) => {
    let sql = start;
    for (const [text, sep] of parts) sql += text + sep;
    const statements = parts.map(([text]) => text);
    if (last !== null) {
      sql += last;
      statements.push(last);
    }
    return { sql: sql + end, statements };
  });

// ---- the properties ------------------------------------------------------------------------------------------------

describe('splitStatements against SQLite (sql.js iterateStatements)', () => {
  it('finds the statements SQLite finds, where SQLite finds them', () => {
    fc.assert(
      fc.property(script, ({ sql, statements }) => {
        const split = splitStatements(sql);
        expect(split.map((s) => s.text)).toEqual(statements);

        const sqlite = sqliteStatements(sql);
        expect(sqlite.length).toBe(split.length);
        let from = 0;
        for (const [i, text] of sqlite.entries()) {
          const to = from + text.length;
          expect(sql.slice(from, to)).toBe(text);
          const mine = split[i];
          if (mine === undefined) throw new Error('unreachable: the lengths are equal');
          expect(mine.start).toBeGreaterThanOrEqual(from);
          expect(mine.end).toBeLessThanOrEqual(to);
          // Around the statement, within SQLite's span of it, SQLite itself sees nothing to run.
          expect(sqliteStatements(sql.slice(from, mine.start))).toEqual([]);
          expect(sqliteStatements(sql.slice(mine.end, to))).toEqual([]);
          expect(sqliteStatements(mine.text)).toEqual([mine.text]);
          from = to;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('gives each statement the line and column of its first character', () => {
    fc.assert(
      fc.property(script, ({ sql }) => {
        for (const { start, line, column } of splitStatements(sql)) {
          const before = sql.slice(0, start).split('\n');
          expect(line).toBe(before.length);
          expect(column).toBe([...(before.at(-1) ?? '')].length + 1);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
