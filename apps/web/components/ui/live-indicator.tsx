import type { LiveStatus } from '../../lib/live-sync';
import { POLL_EVERY_MS } from '../../lib/live-sync';

const LABEL: Record<LiveStatus | 'finished', string> = {
  connecting: 'Connecting…',
  syncing: 'Catching up…',
  live: 'Live',
  stale: 'Reconnecting: data may be behind',
  polling: `Not live: refreshing every ${POLL_EVERY_MS / 1000} s`,
  finished: 'Finished',
};

/** The page's honest word on how fresh its data is (see lib/live-sync.ts). */
export function LiveIndicator({ status }: { status: LiveStatus | 'finished' }) {
  return (
    <span
      className="live-dot"
      data-live={status === 'live' ? 'true' : 'false'}
      data-status={status}
      role="status"
      aria-live="polite"
    >
      {LABEL[status]}
    </span>
  );
}
