import { Repeater } from '@graphql-yoga/subscription';

/**
 * Coalesces a stream of arrays into at most one array per `windowMs` (or sooner once `maxItems`
 * are waiting), so a trainer reporting thousands of points per second reaches a dashboard as a
 * few messages per second rather than one per report.
 */
export function coalesce<T>(
  source: AsyncIterable<T[]>,
  windowMs: number,
  maxItems: number,
): AsyncIterable<T[]> {
  return new Repeater<T[]>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let buffer: T[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (buffer.length === 0) return;
      const out = buffer;
      buffer = [];
      void push(out);
    };
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      if (timer) clearTimeout(timer);
      void iterator.return?.();
    });
    while (!stopped) {
      const next = await Promise.race([iterator.next(), stop.then(() => null)]);
      if (next === null || next === undefined || next.done) break;
      buffer.push(...next.value);
      if (buffer.length >= maxItems) flush();
      else timer ??= setTimeout(flush, windowMs);
    }
    flush();
    stop();
  });
}

/**
 * Maps (and filters out nulls from) a stream. Built on a Repeater rather than an async generator
 * so that a client unsubscribing stops the source at once: an async generator parked in
 * `for await` would only notice at the study's next event, keeping its listener until then.
 */
export function mapStream<T, U>(
  source: AsyncIterable<T>,
  fn: (value: T) => Promise<U | null> | U | null,
  onStop: () => void = () => undefined,
): AsyncIterable<U> {
  return new Repeater<U>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      onStop();
      void iterator.return?.();
    });
    while (!stopped) {
      const next = await Promise.race([iterator.next(), stop.then(() => null)]);
      if (next === null || next === undefined || next.done) break;
      const mapped = await fn(next.value);
      if (mapped !== null) await push(mapped);
    }
    stop();
  });
}

/**
 * Replayed events first, then the live stream, with nothing twice: the live subscription starts
 * listening before the replay is read (so nothing falls between the two), and live events
 * numbered at or below the last replayed one are skipped. Rejects (before streaming anything) if
 * the replay does, e.g. EVENTS_EXPIRED.
 */
export async function withReplay<T extends { seq?: number }>(
  live: AsyncIterable<T>,
  replay: () => Promise<T[]>,
): Promise<AsyncIterable<T>> {
  const iterator = live[Symbol.asyncIterator]();
  // A Repeater starts its listener on the first next(): call it now, keep the promise.
  let pending: Promise<IteratorResult<T>> | null = iterator.next();
  let replayed: T[];
  try {
    replayed = await replay();
  } catch (error) {
    void iterator.return?.();
    throw error;
  }
  let last = replayed.reduce((most, event) => Math.max(most, event.seq ?? 0), 0);
  return new Repeater<T>(async (push, stop) => {
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      void iterator.return?.();
    });
    for (const event of replayed) await push(event);
    while (!stopped) {
      const next = await Promise.race([pending ?? iterator.next(), stop.then(() => null)]);
      pending = null;
      if (next === null || next.done) break;
      const seq = next.value.seq;
      if (seq !== undefined && seq <= last) continue;
      if (seq !== undefined) last = seq;
      await push(next.value);
    }
    stop();
  });
}
