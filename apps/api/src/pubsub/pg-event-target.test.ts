import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createLogger } from '../common/logger.js';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';
import { MAX_NOTIFY_BYTES, NOTIFY_GAP_MS, PgEventTarget } from './pg-event-target.js';

/** A publisher that records each NOTIFY statement it sends (one call = one statement). */
function recordingPublisher(pool: pg.Pool) {
  const statements: string[][] = [];
  const publish = async (channel: string, payloads: readonly string[]) => {
    statements.push([...payloads]);
    await pool.query(`SELECT ${payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`, [
      channel,
      ...payloads,
    ]);
  };
  return { statements, publish };
}

describe('PgEventTarget: events coalesced into few NOTIFYs, delivered complete and in order', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const targets: PgEventTarget[] = [];
  const logger = createLogger('silent');

  before(async () => {
    db = await createTestDatabase({ poolSize: 1 });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  after(async () => {
    for (const t of targets) await t.close();
    await pool.end();
    await db.drop();
  });

  const target = async (publish: (c: string, p: readonly string[]) => Promise<unknown>) => {
    const t = new PgEventTarget({ connectionString: db.url }, publish, logger);
    targets.push(t);
    await t.whenListening();
    return t;
  };

  test('a burst in one tick is one statement, split under the payload limit, received in order', async () => {
    const { statements, publish } = recordingPublisher(pool);
    const sender = await target(publish);
    const receiver = await target(async () => undefined);
    const received: number[] = [];
    const expected = 600;
    const all = new Promise<void>((resolve) => {
      receiver.addEventListener('burst', (event) => {
        received.push((event as CustomEvent<{ i: number }>).detail.i);
        if (received.length === expected) resolve();
      });
    });
    // Mixed sizes: ~60 small events fit one payload, the 1 kB ones force splits along the way.
    for (let i = 0; i < expected; i++) {
      const pad = i % 7 === 0 ? 'x'.repeat(1000) : '';
      sender.dispatchEvent(new CustomEvent('burst', { detail: { i, pad } }));
    }
    await all;
    assert.deepEqual(
      received,
      Array.from({ length: expected }, (_, i) => i),
    );
    assert.equal(statements.length, 1, 'one NOTIFY statement for one tick of events');
    const payloads = statements[0] ?? [];
    assert.ok(payloads.length > 1, 'a burst over the payload limit is split');
    for (const p of payloads) assert.ok(Buffer.byteLength(p) <= MAX_NOTIFY_BYTES, `${p.length} bytes`);
  });

  test('a NOTIFY that fails (database unreachable) is retried with the events kept, none dropped', async () => {
    const { publish } = recordingPublisher(pool);
    let failures = 0;
    const sender = await target(async (channel, payloads) => {
      if (failures < 2) {
        failures += 1;
        throw new Error('connect ECONNREFUSED');
      }
      return publish(channel, payloads);
    });
    const received: number[] = [];
    const count = 30;
    const done = new Promise<void>((resolve) => {
      sender.addEventListener('kept', (event) => {
        received.push((event as CustomEvent<{ i: number }>).detail.i);
        if (received.length === count) resolve();
      });
    });
    for (let i = 0; i < count; i++) {
      sender.dispatchEvent(new CustomEvent('kept', { detail: { i } }));
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 50));
    }
    await done;
    assert.equal(failures, 2);
    assert.deepEqual(
      received,
      Array.from({ length: count }, (_, i) => i),
    );
  });

  test('a steady stream (one event a tick) is rate-limited to one statement per gap, in order', async () => {
    const { statements, publish } = recordingPublisher(pool);
    const starts: number[] = [];
    const sender = await target(async (channel, payloads) => {
      starts.push(performance.now());
      await publish(channel, payloads);
    });
    const received: number[] = [];
    const count = 400;
    const done = new Promise<void>((resolve) => {
      sender.addEventListener('stream', (event) => {
        received.push((event as CustomEvent<{ i: number }>).detail.i);
        if (received.length === count) resolve();
      });
    });
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      sender.dispatchEvent(new CustomEvent('stream', { detail: { i } }));
      await new Promise((r) => setImmediate(r));
    }
    const elapsed = performance.now() - started;
    await done;
    assert.deepEqual(
      received,
      Array.from({ length: count }, (_, i) => i),
    );
    for (let k = 1; k < starts.length; k++) {
      const gap = (starts[k] ?? 0) - (starts[k - 1] ?? 0);
      assert.ok(gap >= NOTIFY_GAP_MS - 0.5, `statements ${k - 1} and ${k} only ${gap.toFixed(2)} ms apart`);
    }
    assert.ok(
      statements.length <= elapsed / NOTIFY_GAP_MS + 2,
      `${statements.length} statements in ${elapsed} ms`,
    );
  });

  test('events queued while a NOTIFY is in flight go out together next, after it', async () => {
    const { statements, publish } = recordingPublisher(pool);
    const sender = await target(publish);
    const received: number[] = [];
    const done = new Promise<void>((resolve) => {
      sender.addEventListener('waves', (event) => {
        received.push((event as CustomEvent<{ i: number }>).detail.i);
        if (received.length === 300) resolve();
      });
    });
    // Three waves, each a few ticks apart: no wave may overtake another, none may be lost.
    for (let wave = 0; wave < 3; wave++) {
      for (let j = 0; j < 100; j++)
        sender.dispatchEvent(new CustomEvent('waves', { detail: { i: wave * 100 + j } }));
      await new Promise((r) => setImmediate(r));
    }
    await done;
    assert.deepEqual(
      received,
      Array.from({ length: 300 }, (_, i) => i),
    );
    assert.ok(statements.length <= 3, `${statements.length} statements for 3 waves`);
    // Every event rode in exactly one payload.
    const sent = statements.flat().flatMap((p) => (JSON.parse(p) as { b: unknown[] }).b);
    assert.equal(sent.length, 300);
  });

  test('flush() returns only once events dispatched anywhere before it were delivered here', async () => {
    const { publish } = recordingPublisher(pool);
    // The sender's first statement is slow, so its events are still queued when flush() starts.
    let first = true;
    const slow = async (channel: string, payloads: readonly string[]) => {
      if (first) {
        first = false;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return publish(channel, payloads);
    };
    const sender = await target(slow);
    const receiver = await target(async () => undefined);
    const seenBy = new Map<PgEventTarget, number[]>([
      [sender, []],
      [receiver, []],
    ]);
    for (const [t, seen] of seenBy) {
      t.addEventListener('flushed', (event) => seen.push((event as CustomEvent<{ i: number }>).detail.i));
    }
    sender.dispatchEvent(new CustomEvent('flushed', { detail: { i: 1 } }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    sender.dispatchEvent(new CustomEvent('flushed', { detail: { i: 2 } }));
    // The sender's own queue goes out (the slow statement first) and comes back through LISTEN...
    await sender.flush();
    assert.deepEqual(seenBy.get(sender), [1, 2]);
    // ...and then another process's flush() sees everything published before it.
    await receiver.flush();
    assert.deepEqual(seenBy.get(receiver), [1, 2]);
  });
});
