'use client';

import { useEffect, useRef, useState } from 'react';
import { getClient } from '../api/client';
import { type LiveStatus, LiveTracker, POLL_EVERY_MS } from '../live-sync.ts';

const SETTLE_MS = 1000;

/**
 * Keeps a live page honest about its data: follows the subscription socket, refetches (`resync`)
 * after every reconnect, and polls with `resync` while the socket cannot be opened. Returns what the
 * page should say (connecting, syncing, live, stale, polling). Call it beside the page's
 * subscriptions; `enabled` false (nothing loaded yet) keeps it idle.
 */
export function useLiveSync(
  resync: (signal: AbortSignal) => Promise<void>,
  enabled: boolean,
  { loadedFirst = false }: { loadedFirst?: boolean } = {},
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const resyncRef = useRef(resync);
  resyncRef.current = resync;

  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    const tracker = new LiveTracker(Date.now(), loadedFirst);
    let settle: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let again = false;
    let lastRun = 0;
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      lastRun = Date.now();
      try {
        do {
          again = false;
          await resyncRef.current(ctl.signal);
        } while (again && !ctl.signal.aborted);
        if (ctl.signal.aborted) return;
        tracker.synced();
      } catch (e) {
        // a failed refetch keeps the page stale; the next reconnect or poll tries again
        if (!ctl.signal.aborted) console.warn('live: refetch failed', e);
      } finally {
        running = false;
        if (!ctl.signal.aborted) setStatus(tracker.status);
      }
    };
    const stop = getClient().onConnection((state) => {
      if (tracker.socket(state, Date.now())) {
        void run();
        // The socket may be up before the server has registered a subscription sent a moment ago:
        // a second read a little later covers what was published in between.
        clearTimeout(settle);
        settle = setTimeout(() => void run(), SETTLE_MS);
      }
      setStatus(tracker.status);
    });
    const timer = setInterval(() => {
      const now = Date.now();
      if (tracker.shouldPoll(now) && !running && now - lastRun >= POLL_EVERY_MS) void run();
      setStatus(tracker.status);
    }, 500);
    return () => {
      ctl.abort();
      stop();
      clearTimeout(settle);
      clearInterval(timer);
    };
  }, [enabled, loadedFirst]);
  return status;
}
