import { checkSet, compareVersions, parseMigrationFiles } from '@strata/core';
import { describe, expect, it } from 'vitest';

const up = 'SELECT 1;\n';

describe('migration folder names', () => {
  it.each([
    ['2024-03-13-170000_create_users', '20240313170000', 'create_users'],
    ['2024-03-13_170000_sso_userscascade', '20240313', '170000_sso_userscascade'],
    ['001_2fa_codes', '001', '2fa_codes'],
    ['20240313170000_add_index', '20240313170000', 'add_index'],
    ['000001_init', '000001', 'init'],
  ])('reads %s as version %s, name %s', (folder, version, name) => {
    const set = parseMigrationFiles({ [`${folder}/up.sql`]: up });
    expect(set.problems).toEqual([]);
    expect(set.migrations.map((m) => [m.version, m.name, m.folder])).toEqual([[version, name, folder]]);
  });

  it.each(['01_short', '2024--03_x', '-2024_x', '001-_x', '001_Upper', '001__double', '001_trailing_', '001_dash-name', '001'])(
    'refuses %s, stating the rule with an example',
    (folder) => {
      const { problems } = parseMigrationFiles({ [`${folder}/up.sql`]: up });
      expect(problems.map((p) => p.message)).toEqual([
        `folder "${folder}" is not a migration name: expected the version (at least three digits; dashes between groups of digits are dropped), an underscore, then a lower snake_case name (lower-case letters, digits and single underscores; it may start with a digit), such as 001_create_users or 2024-03-13-170000_create_users (version 20240313170000)`,
      ]);
    },
  );

  it('orders fourteen-digit versions by number among short ones', () => {
    const files = Object.fromEntries(
      ['20240313170000_c', '999_b', '2024-01-01-000000_d', '0005_a', '20240313165959_e'].map((f) => [`${f}/up.sql`, up]),
    );
    expect(checkSet(parseMigrationFiles(files)).order.map((m) => m.version)).toEqual([
      '0005',
      '999',
      '20240101000000',
      '20240313165959',
      '20240313170000',
    ]);
    expect(compareVersions('99999999999999', '100000000000000')).toBe(-1);
    expect(compareVersions('20240313170000', '020240313170000')).toBe(1);
  });
});
