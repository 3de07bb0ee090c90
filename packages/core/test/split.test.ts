import { containsStatement, splitStatements } from '@strata/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

// SQLite itself is the oracle in packages/driver-sqljs/test/split-statements.test.ts; these pin the cases by name.
describe('splitStatements', () => {
  it('splits at semicolons, leaving out white space, comments and the semicolons themselves', () => {
    expect(splitStatements('CREATE TABLE a (id);\n\n  INSERT INTO a VALUES (1)  ;')).toEqual([
      { text: 'CREATE TABLE a (id)', start: 0, end: 19, line: 1, column: 1 },
      { text: 'INSERT INTO a VALUES (1)', start: 24, end: 48, line: 3, column: 3 },
    ]);
  });

  it.each([
    ['a string', "SELECT 'a;b' AS x; SELECT 2", ["SELECT 'a;b' AS x", 'SELECT 2']],
    ['a doubled quote in a string', "SELECT 'it''s; fine'; SELECT 2", ["SELECT 'it''s; fine'", 'SELECT 2']],
    ['a double-quoted identifier', 'SELECT 1 AS "c;""d"; SELECT 2', ['SELECT 1 AS "c;""d"', 'SELECT 2']],
    ['a bracketed identifier', 'SELECT 1 AS [c;d]; SELECT 2', ['SELECT 1 AS [c;d]', 'SELECT 2']],
    ['a backticked identifier', 'SELECT 1 AS `c;d`; SELECT 2', ['SELECT 1 AS `c;d`', 'SELECT 2']],
    ['a blob', "SELECT x'3b'; SELECT X'3B3B'", ["SELECT x'3b'", "SELECT X'3B3B'"]],
    ['a line comment', 'SELECT 1 -- not; here\n+ 1; SELECT 2', ['SELECT 1 -- not; here\n+ 1', 'SELECT 2']],
    ['a block comment', 'SELECT /* a; b */ 1; SELECT 2', ['SELECT /* a; b */ 1', 'SELECT 2']],
  ])('ignores a semicolon inside %s', (_, sql, expected) => {
    expect(texts(sql)).toEqual(expected);
  });

  it('keeps a trigger body whole, CASE … END and comments included', () => {
    const trigger = [
      'CREATE TEMP TRIGGER t_ai AFTER INSERT ON t BEGIN',
      "  UPDATE t SET a = CASE WHEN new.a = 'x;' THEN 1 END WHERE rowid = new.rowid;",
      '  SELECT 1; -- then the end',
      'END',
    ].join('\n');
    expect(texts(`${trigger};\nSELECT 2;`)).toEqual([trigger, 'SELECT 2']);
    expect(texts('create temporary trigger x after delete on t begin delete from u; end; select 1')).toEqual([
      'create temporary trigger x after delete on t begin delete from u; end',
      'select 1',
    ]);
    expect(texts('EXPLAIN QUERY PLAN CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2')).toEqual([
      'EXPLAIN QUERY PLAN CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END',
      'SELECT 2',
    ]);
  });

  it('treats BEGIN, END and COMMIT outside a trigger as ordinary statements', () => {
    expect(texts('BEGIN TRANSACTION; CREATE TABLE trigger_log (x); END; COMMIT')).toEqual([
      'BEGIN TRANSACTION',
      'CREATE TABLE trigger_log (x)',
      'END',
      'COMMIT',
    ]);
  });

  it('leaves out empty statements, and finds none in a script of comments', () => {
    expect(texts(';; SELECT 1;;\n-- nothing\n; /* still nothing */ ;SELECT 2;;')).toEqual(['SELECT 1', 'SELECT 2']);
    expect(splitStatements('-- 001_init: up\n/* write SQL here; */\n;\n')).toEqual([]);
    expect(splitStatements('')).toEqual([]);
  });

  it('runs an unterminated string, identifier or comment to the end of the text', () => {
    expect(texts("SELECT 1; SELECT 'open; SELECT 2")).toEqual(['SELECT 1', "SELECT 'open; SELECT 2"]);
    expect(texts('SELECT 1 AS [open; SELECT 2')).toEqual(['SELECT 1 AS [open; SELECT 2']);
    expect(texts('SELECT 1 /* open; SELECT 2')).toEqual(['SELECT 1']);
    expect(texts('SELECT 1 -- no newline; SELECT 2')).toEqual(['SELECT 1']);
  });

  it('counts lines over LF, CRLF and a lone CR, and columns in characters', () => {
    const sql = "SELECT 1;\r\n\rSELECT '😀';  SELECT 3;\n\n\tSELECT 4";
    expect(splitStatements(sql).map(({ line, column }) => [line, column])).toEqual([
      [1, 1],
      [3, 1],
      [3, 14],
      [5, 2],
    ]);
  });

  it('skips a byte-order mark at the start, which SQLite would read as part of the first word', () => {
    expect(splitStatements('\ufeffCREATE TABLE a (id);')).toEqual([
      { text: 'CREATE TABLE a (id)', start: 1, end: 20, line: 1, column: 1 },
    ]);
  });

  it('never throws, and returns ordered slices, starting at a token, that split again to themselves', () => {
    const sqlish = fc
      .array(
        fc.constantFrom(';', "'", '"', '`', '[', ']', '-', '/', '*', '\n', '\r', ' ', 'x', 'END', 'CREATE', 'TRIGGER', 'é', '😀'),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(sqlish, fc.string()), (sql) => {
        let previous = 0;
        for (const statement of splitStatements(sql)) {
          expect(statement.start).toBeGreaterThanOrEqual(previous);
          expect(statement.end).toBeGreaterThan(statement.start);
          expect(statement.text).toBe(sql.slice(statement.start, statement.end));
          expect(statement.text).not.toMatch(/^[ \t\n\f\r]/);
          expect(texts(statement.text)).toEqual([statement.text]);
          previous = statement.end;
        }
        expect(containsStatement(sql)).toBe(splitStatements(sql).length > 0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('containsStatement', () => {
  it.each([
    ['an empty script', ''],
    ['white space', ' \t\r\n\f'],
    ['comments only', '-- 001_init: up\n/* write SQL here; */\n-- no newline at the end'],
    ['empty statements', ';;\n ; -- nothing\n;'],
    ['a byte-order mark and a comment', '\ufeff-- only this'],
    ['a block comment never closed', '/* CREATE TABLE a (id);'],
  ])('finds none in %s', (_, sql) => {
    expect(containsStatement(sql)).toBe(false);
    expect(splitStatements(sql)).toEqual([]);
  });

  it.each([
    ['a statement after comments', '-- intro\n/* a; */ ;\nCREATE TABLE a (id);'],
    ['a statement without a semicolon', 'SELECT 1'],
    ['a blob', "x'3b'"],
    ['a string', "';'"],
    ['a quoted identifier', '"-- not a comment"'],
    ['a byte-order mark and a statement', '\ufeffVACUUM'],
    ['a lone minus sign', '-'],
    ['a vertical tab, which SQLite does not count as white space', '\v'],
  ])('finds one in %s', (_, sql) => {
    expect(containsStatement(sql)).toBe(true);
    expect(splitStatements(sql)).not.toEqual([]);
  });
});
