import { readQueries, type StrataError } from '@strata/core';
import { describe, expect, it } from 'vitest';

const failure = (text: string, file: string) => {
  try {
    readQueries(text, file);
  } catch (error) {
    const { code, message } = error as StrataError;
    return { code, message, file: (error as StrataError).file };
  }
  throw new Error('readQueries accepted it');
};

describe('readQueries', () => {
  it('reads a .sql file statement by statement, each with its line, and the name a -- name: line right before gives it', () => {
    const text = [
      '-- The queries of version 1.4.',
      '',
      '-- name: domainsList',
      "SELECT slug, name FROM domains WHERE slug <> 'a;b' ORDER BY name;",
      'SELECT key, value',
      '  FROM settings;',
      '-- name: caseStudyInsert',
      'INSERT INTO case_studies (domain_id, title) VALUES (?, :title);',
      '-- name: not the next statement',
      '',
      'DELETE FROM tags; SELECT 1',
    ].join('\n');
    expect(readQueries(text, 'queries/app.sql')).toEqual([
      { sql: "SELECT slug, name FROM domains WHERE slug <> 'a;b' ORDER BY name", source: 'domainsList (queries/app.sql:4)' },
      { sql: 'SELECT key, value\n  FROM settings', source: 'queries/app.sql:5' },
      { sql: 'INSERT INTO case_studies (domain_id, title) VALUES (?, :title)', source: 'caseStudyInsert (queries/app.sql:8)' },
      { sql: 'DELETE FROM tags', source: 'queries/app.sql:11' },
      { sql: 'SELECT 1', source: 'queries/app.sql:11' },
    ]);
  });

  it('counts CRLF lines and skips a byte-order mark, also before a name', () => {
    expect(readQueries('\uFEFF-- name: one\r\nSELECT 1;\r\n\r\n--name:two  \r\nSELECT 2', 'q.SQL')).toEqual([
      { sql: 'SELECT 1', source: 'one (q.SQL:2)' },
      { sql: 'SELECT 2', source: 'two (q.SQL:5)' },
    ]);
  });

  it('reads a .json array of strings and of { name, sql } objects', () => {
    const text = JSON.stringify([
      'SELECT 1',
      { name: 'settingsList', sql: 'SELECT key FROM settings;' },
      ' -- a note\nSELECT 3 ',
    ]);
    expect(readQueries(text, 'queries.json')).toEqual([
      { sql: 'SELECT 1', source: 'queries.json[0]' },
      { sql: 'SELECT key FROM settings', source: 'settingsList (queries.json[1])' },
      { sql: 'SELECT 3', source: 'queries.json[2]' },
    ]);
  });

  it('skips a byte-order mark before a .json array too', () => {
    expect(readQueries('\uFEFF["SELECT 1"]', 'queries.json')).toEqual([{ sql: 'SELECT 1', source: 'queries.json[0]' }]);
  });

  it('refuses a file without any statement, naming it', () => {
    expect(failure('-- nothing here yet\n;\n', 'queries.sql')).toEqual({
      code: 'INVALID_OPTION',
      message: 'queries file queries.sql holds no query',
      file: 'queries.sql',
    });
    expect(failure('', 'empty.sql').message).toBe('queries file empty.sql holds no query');
    expect(failure('[]', 'queries.json').message).toBe('queries file queries.json holds no query');
  });

  it.each([
    [
      '{"name": "a", "sql": "SELECT 1"}',
      'queries file q.json must hold an array of queries (strings or { "name", "sql" } objects)',
    ],
    ['["SELECT 1", 2]', 'queries file q.json entry 1 is neither a string nor an object of two strings, "name" and "sql"'],
    ['[{"sql": "SELECT 1"}]', 'queries file q.json entry 0 is neither a string nor an object of two strings, "name" and "sql"'],
    [
      '[{"name": "a", "sql": "SELECT 1", "params": []}]',
      'queries file q.json entry 0 is neither a string nor an object of two strings, "name" and "sql"',
    ],
    ['["SELECT 1", "-- only a comment"]', 'queries file q.json entry 1 holds no statement; each entry is one query'],
    ['["SELECT 1; SELECT 2"]', 'queries file q.json entry 0 holds 2 statements; each entry is one query'],
  ])('refuses the JSON %s, naming the file and the entry', (text, message) => {
    expect(failure(text, 'q.json')).toEqual({ code: 'INVALID_OPTION', message, file: 'q.json' });
  });

  it('refuses JSON that does not parse, and a file that is neither .sql nor .json', () => {
    expect(failure('["SELECT 1",', 'q.json').message).toMatch(/^queries file q\.json is not valid JSON: /);
    expect(failure('SELECT 1', 'queries.txt').message).toBe(
      'queries file queries.txt is neither a .sql nor a .json file of queries',
    );
  });
});
