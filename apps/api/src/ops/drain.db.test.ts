import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gqlAt, type Harness, newStudy, newTeam, newUser, startHarness } from '../test-support/harness.js';

// The real server's shutdown (ApiServer.close(), which `posterior serve` runs on SIGTERM), not the
// ops module in isolation: a request in flight when it starts still completes and commits; open
// WebSockets keep streaming until then, receive every event committed before (events are not
// replayed), and are closed with 1001 so clients reconnect to another replica; close() waits for all.
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

interface Response {
  status: number;
  body: string;
}

test('close() lets an in-flight request finish, delivers every event committed before, then closes WebSockets with 1001', async () => {
  const user = await newUser(h);
  const teamId = await newTeam(h, user.token);
  const studyId = await newStudy(h, user.token, teamId);

  // A live subscription: wait for the event of a first enqueued trial to know it is registered.
  const closes: number[] = [];
  const events: string[] = [];
  let eventsAtClose: string[] = [];
  const ws = createClient({
    url: h.server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
    retryAttempts: 0,
    on: {
      closed: (event) => {
        closes.push((event as { code: number }).code);
        eventsAtClose = [...events];
      },
    },
  });
  ws.subscribe(
    {
      query: 'subscription($s: ID!) { trialEvents(studyId: $s) { type trial { id } } }',
      variables: { s: studyId },
    },
    {
      next: (v) => {
        const id = (v.data as { trialEvents?: { trial?: { id?: string } } } | undefined)?.trialEvents?.trial
          ?.id;
        if (id) events.push(id);
      },
      error: () => {},
      complete: () => {},
    },
  );
  const ENQUEUE = 'mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id number } }';
  for (let i = 0; i < 50 && events.length === 0; i++) {
    await h.gql(ENQUEUE, { s: studyId, p: { x: 0, y: 1 } }, user.token);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(events.length > 0, 'the subscription is live');

  // A request whose body is half sent when shutdown starts: it is in flight on the server.
  const body = Buffer.from(JSON.stringify({ query: ENQUEUE, variables: { s: studyId, p: { x: 7, y: 1 } } }));
  const { port } = h.server;
  let sendRest = () => {};
  const inFlight = new Promise<Response>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${user.token}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, 20));
    // The rest is sent once shutdown is under way (below).
    sendRest = () => req.end(body.subarray(20));
  });
  await new Promise((r) => setTimeout(r, 200));

  // Committed by another replica just before shutdown: its event comes back through LISTEN.
  const peer = await h.peer({ reaperIntervalMs: 0 });
  const justBefore = await gqlAt<{ enqueueTrial: { id: string } }>(
    peer.url,
    ENQUEUE,
    { s: studyId, p: { x: 6, y: 1 } },
    user.token,
  );
  const justBeforeId = justBefore.data?.enqueueTrial.id;
  assert.ok(justBeforeId);
  let closed = false;
  const closing = h.server.close().then(() => {
    closed = true;
  });
  // While the request is in flight: no new connections, the WebSocket still open, close() waiting.
  await new Promise((r) => setTimeout(r, 300));
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  assert.deepEqual(closes, [], 'the WebSocket stays open while a request is in flight');
  assert.equal(closed, false, 'close() waits for the request in flight');

  sendRest();
  const response = await inFlight;
  assert.equal(response.status, 200, response.body);
  const result = JSON.parse(response.body) as { data?: { enqueueTrial?: { id: string } } };
  const id = result.data?.enqueueTrial?.id;
  assert.ok(id, response.body);
  await closing;
  for (let i = 0; i < 50 && closes.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await ws.dispose();

  // Then the WebSocket went with Going Away, and only after the events of both trials reached it.
  assert.deepEqual(closes, [1001]);
  assert.ok(eventsAtClose.includes(justBeforeId), 'the event committed elsewhere before close() arrived');
  assert.ok(eventsAtClose.includes(id), "the in-flight request's event arrived before the close");
  // The request's work was committed, not cut off: the trial is in the database.
  const rows = (await h.db.dataSource.query('SELECT params FROM trials WHERE id = $1', [id])) as {
    params: { x: number };
  }[];
  assert.equal(rows[0]?.params.x, 7);
});
