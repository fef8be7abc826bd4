#!/usr/bin/env node
// The dashboard's server: Next.js behind a small Node HTTP server, so that the browser talks to one
// origin only. Route handlers (app/graphql, app/artifacts) forward GraphQL over HTTP and artifact
// downloads to the API; this server forwards the graphql-ws WebSocket upgrade at /graphql (a route
// handler cannot take an upgrade). The session therefore lives in the API's httpOnly cookie on this
// origin, sent by the browser with every request and with the socket's handshake: no page script
// ever holds a credential.
//
//   node server.mjs [-p PORT] [-H HOST] [--dev]
//
// PORT defaults to WEB_PORT, then PORT, then 3000; HOST to 127.0.0.1 (pass -H 0.0.0.0 to serve the
// network). API_URL (or POSTERIOR_API_URL) is the API, read at start. WEB_TRUST_PROXY=true when a
// reverse proxy (an ingress) in front of the dashboard sets X-Forwarded-For/-Proto; otherwise those
// headers from clients are replaced with what this server sees.
import { EventEmitter } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';

function usage(message) {
  process.stderr.write(`posterior web: ${message} (usage: node server.mjs [-p PORT] [-H HOST] [--dev])\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      hostname: { type: 'string', short: 'H' },
      dev: { type: 'boolean', default: false },
    },
  }).values;
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}
const port = Number(args.port ?? process.env.WEB_PORT ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`bad port ${args.port}`);
const hostname = args.hostname ?? '127.0.0.1';
const dev = args.dev;

let apiUrl;
try {
  const raw = process.env.API_URL || process.env.POSTERIOR_API_URL || 'http://localhost:4000';
  apiUrl = new URL(raw.replace(/\/+$/, '').replace(/\/graphql$/, ''));
  if (apiUrl.protocol !== 'http:' && apiUrl.protocol !== 'https:') throw new Error('not http(s)');
} catch (e) {
  usage(`API_URL is not an http(s) URL (${e instanceof Error ? e.message : String(e)})`);
}
const trustProxy = process.env.WEB_TRUST_PROXY === 'true' || process.env.WEB_TRUST_PROXY === '1';

/**
 * X-Forwarded-For/-Proto as the API should see them: the peer's address appended to a trusted
 * proxy's list, else the peer alone (a client cannot choose the address the API rate-limits by).
 */
function forwardedHeaders(req) {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const prior = req.headers['x-forwarded-for'];
  const forwardedFor = trustProxy && typeof prior === 'string' && prior.trim() ? `${prior}, ${peer}` : peer;
  const priorProto = req.headers['x-forwarded-proto'];
  const proto =
    trustProxy && typeof priorProto === 'string' && priorProto
      ? priorProto.split(',')[0].trim()
      : req.socket.encrypted
        ? 'https'
        : 'http';
  return { 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': proto };
}

/** A WebSocket handshake from a page of this origin (blocks cross-site WebSocket hijacking). */
function sameOrigin(req) {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  let host;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const forwardedHost = trustProxy ? req.headers['x-forwarded-host'] : undefined;
  return host === req.headers.host || (typeof forwardedHost === 'string' && host === forwardedHost);
}

function refuse(socket, status, text) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Pipes the graphql-ws upgrade at /graphql to the API, cookie and client address included. */
function proxyWebSocket(req, socket, head) {
  socket.on('error', () => socket.destroy());
  if (!sameOrigin(req)) return refuse(socket, 403, 'Forbidden');
  const headers = { ...req.headers, ...forwardedHeaders(req), host: apiUrl.host };
  // Only the session cookie is the API's business.
  delete headers.authorization;
  // The origin was checked just above; the API's own origin list guards browsers that reach it
  // directly, and would refuse this dashboard on any origin it was not configured with.
  delete headers.origin;
  const target = new URL('/graphql', apiUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method: 'GET', headers });
  // The browser gave up before the API answered: drop the half-open request too.
  const abandon = () => upstream.destroy();
  socket.once('close', abandon);
  upstream.on('upgrade', (res, apiSocket, apiHead) => {
    socket.off('close', abandon);
    let response = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`;
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      response += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
    }
    socket.write(`${response}\r\n`);
    if (apiHead.length > 0) socket.write(apiHead);
    if (head.length > 0) apiSocket.write(head);
    apiSocket.on('error', () => socket.destroy());
    socket.on('close', () => apiSocket.destroy());
    apiSocket.on('close', () => socket.destroy());
    apiSocket.pipe(socket).pipe(apiSocket);
  });
  upstream.on('response', (res) => {
    res.resume();
    refuse(socket, res.statusCode ?? 502, res.statusMessage || 'Refused');
  });
  upstream.on('error', () => refuse(socket, 502, 'Bad Gateway'));
  upstream.end();
}

// Next attaches its own upgrade listener to the server of the first request it sees, and closes
// upgrades to paths it routes (app/graphql is one). Give it this emitter instead, and hand it only
// the upgrades that are not ours (the dev server's hot reload).
const nextUpgrades = new EventEmitter();
const app = next({
  dev,
  dir: dirname(fileURLToPath(import.meta.url)),
  hostname,
  port,
  httpServer: nextUpgrades,
});
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  Object.assign(req.headers, forwardedHeaders(req));
  handle(req, res).catch((e) => {
    console.error('request failed', e);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.on('upgrade', (req, socket, head) => {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/graphql') proxyWebSocket(req, socket, head);
  else if (nextUpgrades.listenerCount('upgrade') > 0) nextUpgrades.emit('upgrade', req, socket, head);
  else socket.destroy();
});

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  void app.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

server.listen(port, hostname, () => {
  const address = server.address();
  const shown = typeof address === 'object' && address ? address.port : port;
  console.log(
    `posterior web: http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${shown} (API ${apiUrl.origin})`,
  );
});
