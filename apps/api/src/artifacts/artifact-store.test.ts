import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FaultyArtifactStore, fsError } from '../testing/faulty-artifact-store.js';
import { ArtifactStoreHealth, ArtifactStoreUnavailableError, storeFailure } from './artifact-store.js';

describe('artifact store failures', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posterior-store-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('fs errors of the store are typed with what failed and never the path', () => {
    const failure = storeFailure(fsError('EROFS', 'read-only file system', '/srv/data/artifacts/tmp/a.part'));
    assert.ok(failure instanceof ArtifactStoreUnavailableError);
    assert.equal(failure.code, 'ARTIFACT_STORE_UNAVAILABLE');
    assert.equal(failure.message, 'the artifact store cannot write: read-only file system (EROFS)');
    assert.doesNotMatch(failure.message, /srv|artifacts\//);
    assert.match(
      storeFailure(fsError('ENOSPC', 'x', '/p'))?.message ?? '',
      /no space left on device \(ENOSPC\)/,
    );
    // Not the store's fault: a client that hung up, a plain bug.
    assert.equal(storeFailure(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), null);
    assert.equal(storeFailure(new Error('boom')), null);
  });

  test('health: a read-only store fails the write probe; writable again, it recovers', async () => {
    const store = new FaultyArtifactStore(dir);
    let now = 0;
    const health = new ArtifactStoreHealth(store, { probeEveryMs: 1000, now: () => now });
    assert.deepEqual(await health.check(), {
      ok: false,
      error: 'the artifact store cannot write: read-only file system (EROFS)',
    });
    // An upload failed on it too: once the probe writes again, that failure is over as well.
    const failure = storeFailure(fsError('EROFS', 'read-only file system', '/p'));
    assert.ok(failure);
    health.uploadFailed(failure);
    store.fault = null;
    now += 500;
    assert.equal((await health.check()).ok, false, 'the probe result is reused within probeEveryMs');
    now += 500;
    assert.deepEqual(await health.check(), { ok: true });
    assert.deepEqual(await readdir(join(dir, 'artifacts', 'tmp')), [], 'the probe leaves nothing behind');
  });

  test('health: a full disk passes the probe, but a failed upload keeps it unhealthy until one succeeds', async () => {
    const store = new FaultyArtifactStore(dir);
    store.fault = 'ENOSPC';
    let now = 0;
    const health = new ArtifactStoreHealth(store, { failureMemoryMs: 30_000, now: () => now });
    assert.deepEqual(await health.check(), { ok: true });
    const failure = storeFailure(fsError('ENOSPC', 'no space left on device', '/p'));
    assert.ok(failure);
    health.uploadFailed(failure);
    now += 4_000;
    assert.deepEqual(await health.check(), {
      ok: false,
      error: 'an upload failed 4 s ago: the artifact store cannot write: no space left on device (ENOSPC)',
    });
    health.uploadSucceeded();
    assert.deepEqual(await health.check(), { ok: true });
    health.uploadFailed(failure);
    now += 30_000;
    assert.deepEqual(await health.check(), { ok: true }, 'forgotten after failureMemoryMs');
  });
});
