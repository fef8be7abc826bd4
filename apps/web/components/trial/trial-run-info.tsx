'use client';

import type { dashboard } from '@posterior/sdk';
import { useEffect, useRef } from 'react';

type TrialPage = dashboard.TrialPage;

/**
 * Why the pruner stopped a trial (issue 15 item 8): the step of the report it judged and the
 * comparison in words, as the API stored them when it said stop.
 */
export function PruneReason({
  step,
  reason,
  state,
}: {
  step: number | null | undefined;
  reason: string | null | undefined;
  state: string;
}) {
  if ((step === null || step === undefined) && !reason) {
    if (state !== 'PRUNED') return null;
    return (
      <div className="alert alert-info" role="note" data-testid="prune-reason">
        <strong>Pruned</strong> by its worker (the study's pruner gave no decision for it).
      </div>
    );
  }
  return (
    <div className="alert alert-info" role="note" data-testid="prune-reason">
      <strong>{state === 'PRUNED' ? 'Pruned' : 'The pruner said stop'}</strong>
      {step !== null && step !== undefined ? <> at step {step}</> : null}
      {reason ? <>: {reason}</> : null}
    </div>
  );
}

/** The last lines of the worker's output on a FAILED trial, as the worker told them. */
export function LogTail({ text }: { text: string | null | undefined }) {
  // the error and its stack are last: show the end first
  const region = useRef<HTMLElement | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new text scrolls again
  useEffect(() => {
    if (region.current) region.current.scrollTop = region.current.scrollHeight;
  }, [text]);
  if (!text) return null;
  const lines = text.split('\n').length;
  return (
    <section className="card" aria-labelledby="log-h">
      <div className="card-head">
        <div>
          <h2 id="log-h">Worker log</h2>
          <div className="desc">
            The last {lines} line{lines === 1 ? '' : 's'} of the objective's output when it failed
          </div>
        </div>
      </div>
      <div className="card-body">
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls and holds nothing focusable, so a keyboard reaches the scroll region itself (axe: scrollable-region-focusable) */}
        <section ref={region} className="log-tail" aria-label="Worker log tail, scrollable" tabIndex={0}>
          <pre className="mono" data-testid="log-tail">
            {text}
          </pre>
        </section>
      </div>
    </section>
  );
}

/** What the trial ran on (backend, host, Node and package versions), as its worker told it. */
export function TrialEnvironment({ env }: { env: TrialPage['environment'] | undefined }) {
  return (
    <section className="card" aria-labelledby="env-h">
      <div className="card-head">
        <h2 id="env-h">Environment</h2>
      </div>
      <div className="card-body" data-testid="environment">
        {env ? (
          <dl className="dl">
            <dt>Backend</dt>
            <dd className="mono">{env.backend ?? '—'}</dd>
            <dt>Host</dt>
            <dd className="mono">{env.host ?? '—'}</dd>
            <dt>Platform</dt>
            <dd className="mono">{env.platform ?? '—'}</dd>
            <dt>Node</dt>
            <dd className="mono">{env.nodeVersion ?? '—'}</dd>
            {env.packages.map((p) => (
              <div key={p.name} style={{ display: 'contents' }}>
                <dt className="mono">{p.name}</dt>
                <dd className="mono">{p.version}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="muted" style={{ margin: 0 }}>
            Not told: the worker sends it with the trial's result.
          </p>
        )}
      </div>
    </section>
  );
}
