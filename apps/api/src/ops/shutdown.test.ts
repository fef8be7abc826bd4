import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { createGracefulShutdown } from './shutdown.js';

const schema = buildSchema('type Query { ok: Boolean } type Subscription { tick: Int }');

async function startServer(handlerDelayMs: number | 'never') {
  const server = createServer((req, res) => {
    if (req.url === '/slow') {
      if (handlerDelayMs === 'never') return; // never answers
      setTimeout(() => res.end('finished'), handlerDelayMs);
      return;
    }
    res.end('fast');
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const wsCleanup = useServer({ schema }, wss);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { server, wsCleanup, port };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function openSocket(port: number): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
    ws.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') resolve();
    });
    ws.on('error', reject);
  });
  return { ws, closed };
}

test('shutdown lets in-flight requests finish, closes WebSockets with 1001, then runs hooks in order', async () => {
  const { server, wsCleanup, port } = await startServer(150);
  const socket = await openSocket(port);
  const order: string[] = [];
  const shutdown = createGracefulShutdown({
    httpServer: server,
    webSockets: wsCleanup,
    onDrained: [() => void order.push('apollo'), async () => void order.push('database')],
    timeoutMs: 5000,
  });
  const inFlight = get(port, '/slow');
  await new Promise((r) => setTimeout(r, 30)); // the request is being handled
  assert.equal(shutdown.draining, false);
  const done = shutdown.shutdown('test');
  assert.equal(shutdown.draining, true);
  assert.equal(shutdown.shutdown('again'), done, 'idempotent');
  assert.equal(await socket.closed, 1001);
  await assert.rejects(get(port, '/'), /ECONNREFUSED/, 'no new connections while draining');
  assert.deepEqual(await inFlight, { status: 200, body: 'finished' });
  await done;
  assert.deepEqual(order, ['apollo', 'database']);
  assert.equal(server.listening, false);
});

test('requests still running at the timeout are cut so shutdown completes', async () => {
  const { server, wsCleanup, port } = await startServer('never');
  const shutdown = createGracefulShutdown({ httpServer: server, webSockets: wsCleanup, timeoutMs: 100 });
  const stuck = get(port, '/slow');
  await new Promise((r) => setTimeout(r, 30));
  let hookRan = false;
  const withHook = createGracefulShutdown({
    httpServer: server,
    onDrained: [
      () => {
        hookRan = true;
      },
    ],
    timeoutMs: 100,
  });
  await shutdown.shutdown('test');
  await assert.rejects(stuck, /socket hang up|ECONNRESET/);
  await withHook.shutdown('second instance on a closed server');
  assert.equal(hookRan, true);
});
