import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { listeningAddresses } from './listening.js';

const listen = async (host: string) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port };
};

test('listeningAddresses tells a loopback listener from one on every interface', {
  skip: listeningAddresses(1) === null ? 'no /proc/net/tcp on this system' : false,
}, async () => {
  const loopback = await listen('127.0.0.1');
  const every = await listen('0.0.0.0');
  try {
    assert.deepEqual(listeningAddresses(loopback.port), ['127.0.0.1']);
    assert.deepEqual(listeningAddresses(every.port), ['0.0.0.0']);
  } finally {
    loopback.server.close();
    every.server.close();
  }
  assert.deepEqual(listeningAddresses(loopback.port), []);
});
