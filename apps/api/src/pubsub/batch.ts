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
