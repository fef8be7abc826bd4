import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ASK, type Harness, newStudy, newTeam, newUser, startHarness } from '../test-support/harness.js';
import { sanitizeContentType, sanitizeDisplayName } from './artifact.service.js';

describe('artifacts over HTTP', () => {
  let h: Harness;
  let token: string;
  let trialId: string;

  before(async () => {
    h = await startHarness({ maxArtifactBytes: 64 * 1024 });
    token = (await newUser(h)).token;
    const team = await newTeam(h, token);
    const study = await newStudy(h, token, team);
    const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: study, n: 1 }, token);
    const id = asked.data?.askTrials[0]?.id;
    assert.ok(id);
    trialId = id;
  });
  after(() => h.close());

  const upload = (body: Uint8Array, name: string, auth: string | null = token, trial: string = trialId) =>
    fetch(`${h.server.baseUrl}/artifacts?trialId=${trial}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'x-filename': encodeURIComponent(name),
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      },
      body,
    });

  test('upload then download returns the same bytes, addressed by id, with a sanitized name', async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => i % 251);
    const res = await upload(bytes, '../../etc/passwd lr=0.001 units=64.bin');
    assert.equal(res.status, 201);
    const artifact = (await res.json()) as {
      id: string;
      name: string;
      sizeBytes: number;
      sha256: string;
      url: string;
    };
    assert.equal(artifact.name, 'passwd lr=0.001 units=64.bin');
    assert.equal(artifact.sizeBytes, 10_000);
    assert.equal(artifact.sha256, createHash('sha256').update(bytes).digest('hex'));
    const down = await fetch(`${h.server.baseUrl}${artifact.url}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(down.status, 200);
    assert.deepEqual(new Uint8Array(await down.arrayBuffer()), bytes);
    assert.match(
      down.headers.get('content-disposition') ?? '',
      /^attachment; filename="passwd lr=0.001 units=64.bin"/,
    );
    // Stored by id only, inside the data dir.
    const stored = await readdir(join(h.dataDir, 'artifacts', artifact.id.slice(0, 2)));
    assert.deepEqual(stored, [artifact.id]);
    const listed = await h.gql<{ trial: { artifacts: Array<{ id: string }> } }>(
      'query($t: ID!) { trial(id: $t) { artifacts { id name sizeBytes url } } }',
      { t: trialId },
      token,
    );
    assert.deepEqual(
      listed.data?.trial.artifacts.map((a) => a.id),
      [artifact.id],
    );
  });

  test('too large uploads get 413 and leave nothing behind', async () => {
    const res = await upload(new Uint8Array(100 * 1024), 'big.bin');
    assert.equal(res.status, 413);
    const rows = await h.db.dataSource.query(
      "SELECT count(*)::int AS n FROM artifacts WHERE display_name = 'big.bin'",
    );
    assert.equal(rows[0].n, 0);
    const tmp = await readdir(join(h.dataDir, 'artifacts', 'tmp')).catch(() => []);
    assert.deepEqual(tmp, []);
  });

  test('same auth as GraphQL: anonymous 401, outsiders 404, unknown ids 404', async () => {
    assert.equal((await upload(new Uint8Array(3), 'a.bin', null)).status, 401);
    const outsider = await newUser(h, 'outsider');
    assert.equal((await upload(new Uint8Array(3), 'a.bin', outsider.token)).status, 404);
    const ok = (await (await upload(new Uint8Array(3), 'a.bin')).json()) as { url: string };
    const asOutsider = await fetch(`${h.server.baseUrl}${ok.url}`, {
      headers: { authorization: `Bearer ${outsider.token}` },
    });
    assert.equal(asOutsider.status, 404);
    const anonymous = await fetch(`${h.server.baseUrl}${ok.url}`);
    assert.equal(anonymous.status, 401);
    const traversal = await fetch(`${h.server.baseUrl}/artifacts/..%2F..%2Fetc%2Fpasswd`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(traversal.status, 404);
  });

  test('display names and content types are sanitized', () => {
    assert.equal(sanitizeDisplayName('C:\\models\\best.h5'), 'best.h5');
    assert.equal(sanitizeDisplayName('..'), 'artifact');
    assert.equal(sanitizeDisplayName('a"b\r\nc'), 'a_b__c');
    assert.equal(sanitizeDisplayName(''), 'artifact');
    assert.equal(sanitizeDisplayName('x'.repeat(400)).length, 255);
    assert.equal(sanitizeContentType('text/html; charset=utf-8'), 'text/html');
    assert.equal(sanitizeContentType('evil\r\nheader'), 'application/octet-stream');
  });
});
