import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ASK, type Harness, newStudy, newTeam, newUser, startHarness } from '../test-support/harness.js';
import { FaultyArtifactStore } from '../testing/faulty-artifact-store.js';

describe('a read-only artifact store over HTTP', () => {
  let h: Harness;
  let token: string;
  let trialId: string;
  let storeDir: string;
  let store: FaultyArtifactStore;

  before(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'posterior-ro-store-'));
    store = new FaultyArtifactStore(storeDir);
    h = await startHarness({ artifactStore: store });
    token = (await newUser(h)).token;
    const team = await newTeam(h, token);
    const study = await newStudy(h, token, team);
    const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: study, n: 1 }, token);
    const id = asked.data?.askTrials[0]?.id;
    assert.ok(id);
    trialId = id;
  });
  after(async () => {
    await h.close();
    await rm(storeDir, { recursive: true, force: true });
  });

  const upload = () =>
    fetch(`${h.server.baseUrl}/artifacts?trialId=${trialId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-filename': 'checkpoint.json',
        authorization: `Bearer ${token}`,
      },
      body: '{"w":[1,2,3]}',
    });
  const readyz = async () => {
    const res = await fetch(`${h.server.baseUrl}/readyz`);
    return {
      status: res.status,
      body: (await res.json()) as { checks: { artifacts?: { ok: boolean; error?: string } } },
    };
  };

  test('an upload answers 503 ARTIFACT_STORE_UNAVAILABLE saying what failed, without the path', async () => {
    const res = await upload();
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.deepEqual(body.error, {
      code: 'ARTIFACT_STORE_UNAVAILABLE',
      message: 'the artifact store cannot write: read-only file system (EROFS)',
    });
    assert.doesNotMatch(JSON.stringify(body), new RegExp(storeDir.replaceAll('/', '\\/')));
    const rows = await h.db.dataSource.query('SELECT count(*)::int AS n FROM artifacts');
    assert.equal(rows[0].n, 0, 'no metadata row for bytes that were not stored');
  });

  test('/readyz is 503 with the reason while the store cannot write, and 200 once it can', async () => {
    const down = await readyz();
    assert.equal(down.status, 503);
    assert.deepEqual(down.body.checks.artifacts, {
      ok: false,
      error: 'the artifact store cannot write: read-only file system (EROFS)',
    });
    store.fault = null;
    assert.equal((await upload()).status, 201);
    const up = await readyz();
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.deepEqual(up.body.checks.artifacts, { ok: true });
  });
});
