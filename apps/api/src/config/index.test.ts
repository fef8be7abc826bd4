import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, loadDatabaseUrl } from './index.js';

test('defaults: no DATABASE_URL, data dir ./.posterior (absolute), port 4000, info logs', () => {
  const config = loadConfig({});
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.NODE_ENV, 'development');
  assert.equal(config.POSTERIOR_DATA_DIR, resolve('.posterior'));
  assert.equal(config.PORT, 4000);
  assert.equal(config.LOG_LEVEL, 'info');
});

test('an empty DATABASE_URL means unset', () => {
  assert.equal(loadConfig({ DATABASE_URL: '  ' }).DATABASE_URL, undefined);
});

test('values are parsed and coerced', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://u:p@db:5432/posterior',
    POSTERIOR_DATA_DIR: '/var/lib/posterior',
    PORT: '8080',
    LOG_LEVEL: 'debug',
    NODE_ENV: 'production',
  });
  assert.equal(config.DATABASE_URL, 'postgresql://u:p@db:5432/posterior');
  assert.equal(config.POSTERIOR_DATA_DIR, '/var/lib/posterior');
  assert.equal(config.PORT, 8080);
  assert.equal(config.LOG_LEVEL, 'debug');
  assert.equal(config.NODE_ENV, 'production');
});

test('bad values fail with one line naming every offending variable', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^invalid environment: /);
      assert.match(error.message, /DATABASE_URL: must be a postgres/);
      assert.match(error.message, /PORT: /);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
});

test('loadDatabaseUrl reads DATABASE_URL alone and ignores the rest', () => {
  assert.equal(loadDatabaseUrl({ DATABASE_URL: 'postgres://h/db', PORT: 'not a port' }), 'postgres://h/db');
  assert.equal(loadDatabaseUrl({}), undefined);
  assert.throws(() => loadDatabaseUrl({ DATABASE_URL: 'nope' }), ConfigError);
});

test('POSTERIOR_MIGRATE: on by default, false/0/no turn it off, anything else is an error', () => {
  assert.equal(loadConfig({}).POSTERIOR_MIGRATE, true);
  assert.equal(loadConfig({ POSTERIOR_MIGRATE: '' }).POSTERIOR_MIGRATE, true);
  assert.equal(loadConfig({ POSTERIOR_MIGRATE: 'TRUE' }).POSTERIOR_MIGRATE, true);
  for (const off of ['false', '0', 'no', 'Off'])
    assert.equal(loadConfig({ POSTERIOR_MIGRATE: off }).POSTERIOR_MIGRATE, false);
  assert.throws(() => loadConfig({ POSTERIOR_MIGRATE: 'maybe' }), /POSTERIOR_MIGRATE: must be true or false/);
});
