import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Command } from 'commander';
import { resolveConnection, withConnection } from './connection.js';
import { UsageError } from './errors.js';

const saved = process.env.POSTERIOR_API_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.POSTERIOR_API_URL;
  else process.env.POSTERIOR_API_URL = saved;
});

/** Parses `args` as a command with the connection options and returns what it resolves to. */
function resolved(args: string[]) {
  let options: { api?: string; token?: string } = {};
  const program = new Command().exitOverride();
  withConnection(program.command('run')).action((o: typeof options) => {
    options = o;
  });
  program.parse(['node', 'posterior', 'run', ...args]);
  return resolveConnection(options, false);
}

describe('API replicas on the command line', () => {
  it('--api repeated or comma-separated gives every replica, in order', () => {
    assert.deepEqual(resolved(['--api', 'http://a:4000', '--api', 'http://b:4000/graphql']).urls, [
      'http://a:4000',
      'http://b:4000',
    ]);
    const both = resolved(['--api', 'http://a:4000,http://b:4000']);
    assert.deepEqual(both.urls, ['http://a:4000', 'http://b:4000']);
    assert.equal(both.url, 'http://a:4000');
  });

  it('POSTERIOR_API_URL may list several replicas; --api wins over it', () => {
    process.env.POSTERIOR_API_URL = 'http://a:4000, http://b:4000';
    assert.deepEqual(resolved([]).urls, ['http://a:4000', 'http://b:4000']);
    assert.deepEqual(resolved(['--api', 'http://c:4000']).urls, ['http://c:4000']);
  });

  it('a list with something that is not an http(s) URL is bad usage', () => {
    assert.throws(() => resolved(['--api', 'http://a:4000,ftp://b']), UsageError);
    assert.throws(() => resolved(['--api', 'http://a:4000,']), UsageError);
  });
});
