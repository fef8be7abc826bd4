import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ASK,
  type Harness,
  newStudy,
  newTeam,
  newUser,
  startHarness,
  TELL,
} from '../test-support/harness.js';
import { streaming } from '../test-support/ws.js';

// A database hiccup while a WebSocket is being authorized must not end a subscriber for good:
// 4401/4403 are final (the SDK never reconnects after them), so only a definite "no" may use them.
// These inject the failure where the multi-process fault test met it by chance (an API restarting
// while its database lookups failed): the connection's credential check and the subscribe-time
// access check.

const EVENTS = 'subscription($s: ID!) { trialEvents(studyId: $s) { type trial { id } } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let h: Harness;
let owner: { token: string };
let studyId: string;

before(async () => {
  h = await startHarness();
  owner = await newUser(h, 'owner');
  const teamId = await newTeam(h, owner.token);
  studyId = await newStudy(h, owner.token, teamId, { maxTrials: 100, parallelism: 10 });
});
after(async () => {
  await h.close();
});

/** A subscriber that reconnects as the SDK does: after anything but 4401/4403 (graphql-ws's own rules first). */
function subscriber(secret: string) {
  const closes: number[] = [];
  const events: string[] = [];
  const errors: unknown[] = [];
  let connects = 0;
  const client: Client = createClient({
    url: h.server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${secret}` },
    lazy: true,
    retryAttempts: 5,
    retryWait: async () => {
      await sleep(50);
    },
    shouldRetry: (e) => ![4401, 4403].includes((e as { code?: number }).code ?? 0),
    on: {
      connected: () => {
        connects++;
      },
      closed: (e) => {
        closes.push((e as { code: number }).code);
      },
    },
  });
  client.subscribe<{ trialEvents: { type: string } }>(
    { query: EVENTS, variables: { s: studyId } },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) events.push(value.data.trialEvents.type);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { client, closes, events, errors, connects: () => connects };
}

/** Once the subscriber streams again: causes CLAIMED and COMPLETE and waits for it to hear them. */
async function eventsReach(s: ReturnType<typeof subscriber>): Promise<void> {
  await streaming(h.server, studyId);
  const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: studyId, n: 1 }, owner.token);
  const id = asked.data?.askTrials[0]?.id;
  assert.ok(id, JSON.stringify(asked.errors));
  await h.gql(TELL, { t: id, st: 'COMPLETE', v: 1 }, owner.token);
  for (let i = 0; i < 250 && !s.events.includes('COMPLETE'); i++) await sleep(20);
}

test('a credential lookup that throws closes with 1013 (retryable), and the client comes back', async () => {
  const auth = h.server.services.auth;
  const real = auth.authenticateLive.bind(auth);
  let failures = 0;
  auth.authenticateLive = async () => {
    failures++;
    throw new Error('Connection terminated unexpectedly');
  };
  const s = subscriber(owner.token);
  try {
    for (let i = 0; i < 100 && failures === 0; i++) await sleep(20);
    assert.equal(failures, 1);
    for (let i = 0; i < 100 && s.closes.length === 0; i++) await sleep(20);
    auth.authenticateLive = real;
    assert.deepEqual(s.closes, [1013], 'refused as "try again later", not 4401/4403');
    await eventsReach(s);
    assert.ok(s.connects() >= 1, 'reconnected once the lookup worked');
    assert.deepEqual(s.errors, []);
    assert.ok(s.events.includes('COMPLETE'), `streams after reconnecting: ${JSON.stringify(s.events)}`);
  } finally {
    auth.authenticateLive = real;
    await s.client.dispose();
  }
});

test('an unknown credential is still refused for good (4403)', async () => {
  const s = subscriber('pst_not-a-real-token');
  try {
    for (let i = 0; i < 100 && s.closes.length === 0; i++) await sleep(20);
    await sleep(200);
    assert.deepEqual(s.closes, [4403], 'closed once, never retried');
  } finally {
    await s.client.dispose();
  }
});

test('a subscribe-time access check that throws asks the client to reconnect; it resubscribes', async () => {
  const studies = h.server.services.studies;
  const real = studies.access.bind(studies);
  let failures = 0;
  studies.access = async (...args) => {
    if (failures === 0) {
      failures++;
      throw new Error('timeout exceeded when trying to connect');
    }
    return real(...args);
  };
  const s = subscriber(owner.token);
  try {
    for (let i = 0; i < 100 && s.closes.length === 0; i++) await sleep(20);
    assert.deepEqual(s.closes, [1013]);
    await eventsReach(s);
    assert.equal(s.connects(), 2, 'connected, dropped with 1013, connected again');
    assert.deepEqual(s.errors, [], 'the subscription itself never failed');
    assert.ok(s.events.includes('COMPLETE'), `streams after resubscribing: ${JSON.stringify(s.events)}`);
  } finally {
    studies.access = real;
    await s.client.dispose();
  }
});
