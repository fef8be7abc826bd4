import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { createClient, documents } from '@posterior/sdk';
import {
  EARLY_FRESH_MS,
  earlyAwareFetch,
  earlyRequestsScript,
  SIGNED_IN_KEY,
  TRIAL_TABLE_QUERY,
  takeEarlyResponse,
} from './early-requests.ts';

const STUDY_ID = '0b8f5e0c-3d7a-4c1e-9a51-2f6d8e4b7c10';
const STUDY = {
  id: STUDY_ID,
  teamId: 't1',
  name: 'early',
  state: 'RUNNING',
  direction: 'MINIMIZE',
  objective: 'val_loss',
  searchSpace: [],
  sampler: { type: 'random' },
  pruner: { type: 'none' },
  maxTrials: 10,
  parallelism: 1,
  heartbeatTimeoutS: 60,
  retryFailed: 0,
  createdAt: '2026-11-27T00:00:00.000Z',
  updatedAt: '2026-11-27T00:00:00.000Z',
  trialCounts: { waiting: 0, running: 0, complete: 0, pruned: 0, failed: 0, total: 0 },
  bestTrial: null,
};

interface Sent {
  url: string;
  body: { query: string; variables: { id: string } };
  authorization: string | null;
  credentials: RequestInit['credentials'];
}

/** Runs the inline script as a browser would: at `pathname`, signed in or not, recording its requests. */
function runScript(pathname: string, signedIn: boolean) {
  const sent: Sent[] = [];
  const page: Record<string, unknown> = {
    location: { pathname },
    localStorage: { getItem: (k: string) => (k === SIGNED_IN_KEY && signedIn ? '1' : null) },
    fetch: (url: string, init: RequestInit) => {
      sent.push({
        credentials: init.credentials,
        url,
        body: JSON.parse(String(init.body)),
        authorization: new Headers(init.headers).get('authorization'),
      });
      const answer = init.body?.toString().includes('trialTable')
        ? { data: { study: { trialTable: { total: 0, params: [], rows: [] } } } }
        : { data: { study: { ...STUDY, name: 'from the early request' } } };
      return Promise.resolve(Response.json(answer));
    },
  };
  page.window = page;
  runInNewContext(earlyRequestsScript(), page);
  return { sent, page };
}

describe('early requests (a study page asks for its data before its JavaScript loads)', () => {
  const realFetch = globalThis.fetch;
  let network: string[];
  beforeEach(() => {
    network = [];
    globalThis.fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      network.push(String(init?.body));
      return Response.json({ data: { study: { ...STUDY, name: 'from the network' } } });
    }) as typeof fetch;
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
    delete (globalThis as { window?: unknown }).window;
  });

  it('on a study page with a session, sends the study and its trial table on the session cookie', () => {
    const { sent } = runScript(`/studies/${STUDY_ID}`, true);
    assert.deepEqual(
      sent.map((s) => s.body.query),
      [documents.STUDY_QUERY, TRIAL_TABLE_QUERY],
    );
    for (const s of sent) {
      assert.equal(s.url, '/graphql');
      assert.deepEqual(s.body.variables, { id: STUDY_ID });
      // No credential in script: the browser adds the httpOnly cookie to a same-origin request.
      assert.equal(s.authorization, null);
      assert.equal(s.credentials, 'same-origin');
    }
  });

  it('sends nothing without a session or on another page', () => {
    assert.equal(runScript(`/studies/${STUDY_ID}`, false).sent.length, 0);
    assert.equal(runScript('/teams/x/studies', true).sent.length, 0);
    assert.equal(runScript(`/studies/${STUDY_ID}/../../login`, true).sent.length, 0);
  });

  it('the SDK client takes the early answer for its identical request, once', async () => {
    const { page } = runScript(`/studies/${STUDY_ID}`, true);
    (globalThis as { window?: unknown }).window = page;
    const client = createClient({ url: 'http://dashboard.test', fetch: earlyAwareFetch });
    assert.equal((await client.study(STUDY_ID))?.name, 'from the early request');
    assert.equal(network.length, 0);
    // Taken once: the next identical request is a real one.
    assert.equal((await client.study(STUDY_ID))?.name, 'from the network');
    assert.equal(network.length, 1);
  });

  it('a bearer-token request, another study, or a stale answer goes to the network', async () => {
    const { page } = runScript(`/studies/${STUDY_ID}`, true);
    (globalThis as { window?: unknown }).window = page;
    const other = createClient({ url: 'http://dashboard.test', token: 'tok-2', fetch: earlyAwareFetch });
    assert.equal((await other.study(STUDY_ID))?.name, 'from the network');
    const same = createClient({ url: 'http://dashboard.test', fetch: earlyAwareFetch });
    assert.equal((await same.study('1b8f5e0c-3d7a-4c1e-9a51-2f6d8e4b7c10'))?.name, 'from the network');
    const body = JSON.stringify({ query: TRIAL_TABLE_QUERY, variables: { id: STUDY_ID } });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    assert.equal(takeEarlyResponse(init, Date.now() + EARLY_FRESH_MS + 1), undefined);
    assert.ok(takeEarlyResponse(init) instanceof Promise);
  });

  it('a failed early request is made again', async () => {
    const { page } = runScript(`/studies/${STUDY_ID}`, true);
    const entries = page.__posteriorEarly as Array<{ response: Promise<Response> }>;
    for (const e of entries) {
      e.response = Promise.reject(new TypeError('network down'));
      e.response.catch(() => {});
    }
    (globalThis as { window?: unknown }).window = page;
    const client = createClient({ url: 'http://dashboard.test', fetch: earlyAwareFetch });
    assert.equal((await client.study(STUDY_ID))?.name, 'from the network');
  });
});
