'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { describeError } from '../../lib/api/client';
import { patchUrl, useUrlParam } from '../../lib/client/use-url-query';
import { formatNumber } from '../../lib/format';
import { paramEffects } from '../../lib/hpo-plots';
import { estimateImportance } from '../../lib/importance';
import type { CurveStore } from '../../lib/learning-curves';
import type { LiveStatus } from '../../lib/live-sync';
import { objectiveAt, objectiveIndex, objectiveParam, trialsForObjective } from '../../lib/objective-view';
import { paramNames, specFor } from '../../lib/params';
import { buildParetoView, directionTag, hypervolumeSeries } from '../../lib/pareto';
import {
  finishedTrials,
  type ParamImportance,
  type Params,
  type Recommended,
  type Study,
  type StudyState,
  type SurrogateSlice,
  type Trial,
  totalTrials,
} from '../../lib/types';
import { ConvergenceChart, type ConvergenceChartProps } from '../charts/convergence-chart';
import { HypervolumeChart } from '../charts/hypervolume-chart';
import { ImportanceChart } from '../charts/importance-chart';
import { LearningCurvesChart, type LearningCurvesChartProps } from '../charts/learning-curves-chart';
import { ParallelChart } from '../charts/parallel-chart';
import { ParetoChart } from '../charts/pareto-chart';
import { PredictedChart } from '../charts/predicted-chart';
import { SurrogateChart } from '../charts/surrogate-chart';
import { TrialsWorkbench } from '../explore/trials-workbench';
import { LazyMount } from '../ui/lazy-mount';
import { StateBadge } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { BudgetDialog } from './budget-dialog';
import { EnqueueDialog } from './enqueue-dialog';
import { SelectionProvider } from './selection';
import { StudyDescription } from './study-description';

// Below the fold and mounted on scroll: its code is a chunk of its own, not part of the first load.
const HpoPlots = dynamic(() => import('../explore/hpo-plots').then((m) => m.HpoPlots), { ssr: false });

export interface StudyActions {
  setState: (s: StudyState) => Promise<void>;
  enqueue: (p: Params) => Promise<void>;
  /** Sets the budget (maxTrials); with `resume` a finished study runs again. */
  setBudget?: (maxTrials: number, resume: boolean) => Promise<void>;
  /** Sets the description (null clears it). */
  setDescription?: (description: string | null) => Promise<void>;
  /** Deletes the study and everything in it (admins); the page navigates away. */
  remove?: () => Promise<void>;
  /** Where "Clone with edits" goes: the new-study form filled from this study. */
  cloneHref?: string;
}

export interface StudyViewProps {
  study: Study;
  trials: readonly Trial[];
  /** What the convergence plot draws (the cheap history while the full trials load). */
  convergenceTrials?: readonly Trial[];
  trialsLoading: boolean;
  store: CurveStore;
  curvesVersion: number;
  curvesBaseVersion: number;
  curvesLoading: boolean;
  live: LiveStatus | 'finished';
  /** The model's importance for the objective shown (multi-objective: the selector's, URL key `obj`). */
  importance: readonly ParamImportance[] | null;
  /** The trial the model would keep (Study.recommendedTrial), shown beside the best observed one. */
  recommended?: Recommended | null;
  /** The GP slice of the objective shown, as `importance`. */
  surrogate: SurrogateSlice | null;
  surrogateLoading: boolean;
  surrogateUnavailable: string | null;
  gpParam: string | null;
  onGpParam: (p: string) => void;
  actions: StudyActions | null;
  onDownloadReport: () => Promise<void>;
  /** The insight charts (importance, GP surrogate) came into view: time to fetch what they show. */
  onInsightsVisible?: () => void;
  trialHref: (id: string) => string;
  breadcrumb?: React.ReactNode;
  /** The study's workers: a banner under the header (none running) and a panel under the trials. */
  workers?: { banner: React.ReactNode; panel: React.ReactNode };
}

export function StudyView(props: StudyViewProps) {
  const { study, trials, trialsLoading } = props;
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const names = useMemo(() => paramNames(study.searchSpace, trials), [study.searchSpace, trials]);
  const numericNames = useMemo(
    () => names.filter((n) => specFor(study.searchSpace, n)?.type !== 'categorical'),
    [names, study.searchSpace],
  );
  const counts = study.trialCounts;
  const done = finishedTrials(counts);
  const total = study.maxTrials ?? totalTrials(counts);
  const best = study.bestTrialId ? trials.find((t) => t.id === study.bestTrialId) : undefined;
  const rec = props.recommended ?? null;
  const gpSpec = props.gpParam ? specFor(study.searchSpace, props.gpParam) : undefined;
  const multi = study.isMultiObjective && study.objectives.length > 1;
  const constrained = study.constraints.length > 0;
  // The objective the slice, contour, EDF, importance and surrogate charts show (multi-objective
  // studies pick it; single-objective ones always show theirs, exactly as before).
  const objParam = useUrlParam('obj');
  const objIndex = multi ? objectiveIndex(objParam, study.objectives.length) : 0;
  const shown = objectiveAt(study.objectives, objIndex, {
    name: study.objective,
    direction: study.direction,
  });
  const shownTrials = useMemo(() => trialsForObjective(trials, objIndex), [trials, objIndex]);
  // the front follows the live trials (as the best trial does); the hypervolume is the API's
  const pareto = useMemo(
    () => (multi ? buildParetoView(trials, study.objectives) : null),
    [multi, trials, study.objectives],
  );
  const hv = useMemo(() => hypervolumeSeries(study.hypervolumeHistory), [study.hypervolumeHistory]);
  const feasibleCount = useMemo(
    () => (constrained ? trials.filter((t) => t.state === 'COMPLETE' && t.feasible === true).length : 0),
    [constrained, trials],
  );

  async function run(label: string, fn: () => Promise<void>) {
    setBusy(label);
    setActionError(null);
    try {
      await fn();
    } catch (e) {
      setActionError(describeError(e).detail);
    } finally {
      setBusy(null);
    }
  }

  const a = props.actions;
  const used = totalTrials(counts);
  const budgetLeft = study.maxTrials === null || used < study.maxTrials;
  const canResume = study.state === 'PAUSED' || (study.state === 'DONE' && budgetLeft);
  const takesTrials = (study.state === 'RUNNING' || study.state === 'PAUSED') && budgetLeft;
  return (
    <SelectionProvider>
      <div className="stack">
        <div className="page-head">
          <div>
            {props.breadcrumb}
            <div className="row" style={{ gap: 10 }}>
              <h1>{study.name}</h1>
              <StateBadge state={study.state} />
            </div>
            <div className="sub" data-testid="study-objectives">
              {study.objectives.map((o, i) => (
                <span key={o.name}>
                  {i === 0
                    ? o.direction === 'MINIMIZE'
                      ? 'Minimize'
                      : 'Maximize'
                    : directionTag(o.direction) === 'min'
                      ? ' minimize'
                      : ' maximize'}{' '}
                  <code>{o.name}</code>
                  {i < study.objectives.length - 1 ? ',' : null}
                </span>
              ))}
              {constrained ? (
                <>
                  {' '}
                  subject to{' '}
                  {study.constraints.map((c, i) => (
                    <span key={c.name}>
                      {i > 0 ? ', ' : null}
                      <code>{c.name}</code> ≤ 0
                    </span>
                  ))}
                </>
              ) : null}{' '}
              · sampler <code>{study.sampler.type}</code> · pruner <code>{study.pruner.type}</code> · created{' '}
              <RelativeTime iso={study.createdAt} />
            </div>
            <StudyDescription
              description={study.description ?? null}
              onSave={props.actions?.setDescription ?? null}
            />
            {study.warmStartFrom.length > 0 ? (
              <div className="sub" data-testid="warm-start-sources">
                Warm-started from{' '}
                {study.warmStartFrom.map((id, i) => (
                  <span key={id}>
                    {i > 0 ? ', ' : null}
                    <Link prefetch={false} href={`/studies/${id}`}>
                      study {id.slice(0, 8)}
                    </Link>
                  </span>
                ))}
              </div>
            ) : null}
          </div>
          <div className="row">
            {a && study.state === 'RUNNING' ? (
              <button
                type="button"
                className="btn"
                disabled={busy !== null}
                title="No new trials are handed out; posterior worker processes exit once they have nothing to run"
                onClick={() => run('pause', () => a.setState('PAUSED'))}
              >
                Pause
              </button>
            ) : null}
            {a && canResume ? (
              <button
                type="button"
                className="btn"
                disabled={busy !== null}
                onClick={() => run('resume', () => a.setState('RUNNING'))}
              >
                Resume
              </button>
            ) : null}
            {a && takesTrials ? <EnqueueDialog space={study.searchSpace} onEnqueue={a.enqueue} /> : null}
            {a?.setBudget &&
            (study.state === 'DONE' || study.state === 'RUNNING' || study.state === 'PAUSED') ? (
              <BudgetDialog
                current={study.maxTrials}
                used={used}
                finished={study.state === 'DONE'}
                onSubmit={a.setBudget}
              />
            ) : null}
            {a?.cloneHref ? (
              <Link prefetch={false} className="btn" href={a.cloneHref}>
                Clone with edits
              </Link>
            ) : null}
            <button
              type="button"
              className="btn"
              disabled={busy !== null}
              onClick={() => run('report', props.onDownloadReport)}
            >
              Download report
            </button>
            {a && study.state === 'ARCHIVED' ? (
              <button
                type="button"
                className="btn"
                disabled={busy !== null}
                title="Unarchive: the study becomes done again, and its budget can be raised"
                onClick={() => run('unarchive', () => a.setState('DONE'))}
              >
                {/* not "Unarchive": a name containing "Archive" reads as the archive action to assistive search */}
                Restore
              </button>
            ) : null}
            {a && study.state !== 'ARCHIVED' ? (
              <button
                type="button"
                className="btn btn-danger"
                disabled={busy !== null}
                onClick={() => {
                  if (
                    window.confirm(
                      `Archive "${study.name}"? Workers stop receiving trials; its data stays readable.`,
                    )
                  ) {
                    void run('archive', () => a.setState('ARCHIVED'));
                  }
                }}
              >
                Archive
              </button>
            ) : null}
            {a?.remove ? (
              <button
                type="button"
                className="btn btn-danger"
                disabled={busy !== null}
                onClick={() => {
                  const typed = window.prompt(
                    `Delete "${study.name}" with all its trials, metrics and checkpoints? This cannot be undone. Type the study's name to confirm.`,
                  );
                  if (typed === study.name) void run('delete', a.remove ?? (async () => {}));
                  else if (typed !== null) setActionError('The name did not match; nothing was deleted.');
                }}
              >
                Delete
              </button>
            ) : null}
          </div>
        </div>
        {actionError ? (
          <div className="alert alert-error" role="alert">
            {actionError}
          </div>
        ) : null}
        {study.state === 'PAUSED' ? (
          <div className="alert alert-info" role="status">
            This study is paused: no new trials are handed out, and <code>posterior worker</code> processes
            exit once they have nothing to run. After Resume, start workers again.
          </div>
        ) : null}
        {props.workers?.banner}
        <div className="stats">
          <div className="card stat">
            <div className="k">Progress</div>
            <div className="v">
              {done.toLocaleString('en-US')}
              <span className="faint" style={{ fontSize: 14 }}>
                {' '}
                / {total.toLocaleString('en-US')}
              </span>
            </div>
            <div className="s">
              {counts.running} running · {counts.waiting} waiting
            </div>
          </div>
          {pareto ? (
            <div className="card stat" data-testid="front-card">
              <div className="k">Pareto front</div>
              <div className="v">
                {pareto.front.length.toLocaleString('en-US')}
                <span className="faint" style={{ fontSize: 14 }}>
                  {' '}
                  trial{pareto.front.length === 1 ? '' : 's'}
                </span>
              </div>
              <div className="s">
                {hv.last ? (
                  <>hypervolume {formatNumber(hv.last.value, 4)}</>
                ) : pareto.front.length ? (
                  'no hypervolume yet'
                ) : (
                  'no feasible complete trial yet'
                )}
              </div>
            </div>
          ) : (
            <div className="card stat" data-testid="best-observed">
              <div className="k">
                Best observed {constrained ? 'feasible ' : ''}
                {study.objective}
              </div>
              <div className="v">{formatNumber(study.bestValue, 5)}</div>
              <div className="s">
                {best ? (
                  <Link prefetch={false} href={props.trialHref(best.id)}>
                    trial #{best.number}
                  </Link>
                ) : study.bestTrialId ? (
                  <Link prefetch={false} href={props.trialHref(study.bestTrialId)}>
                    best trial
                  </Link>
                ) : (
                  'no complete trial yet'
                )}
                {rec && rec.source === 'model' && rec.trialId === study.bestTrialId ? (
                  <span className="faint"> · the model agrees</span>
                ) : null}
              </div>
            </div>
          )}
          {!pareto && rec && rec.source === 'model' && rec.trialId !== study.bestTrialId ? (
            <div
              className="card stat stat-recommended"
              data-testid="recommended-trial"
              title="The completed trial with the lowest posterior mean: the model's estimate of its true value, discounting lucky noise. 'Best observed' is the best value any trial reported."
            >
              <div className="k">Recommended by the model</div>
              <div className="v">
                {formatNumber(rec.mean, 5)}
                {rec.std !== null ? (
                  <span className="faint" style={{ fontSize: 14 }}>
                    {' '}
                    ± {formatNumber(rec.std, 3)}
                  </span>
                ) : null}
              </div>
              <div className="s">
                <Link prefetch={false} href={props.trialHref(rec.trialId)}>
                  trial #{rec.number}
                </Link>{' '}
                · observed {formatNumber(rec.value, 5)}
                {rec.noiseStd !== null ? <> · noise σ {formatNumber(rec.noiseStd, 3)}</> : null}
              </div>
            </div>
          ) : null}
          {constrained ? (
            <div className="card stat" data-testid="feasible-card">
              <div className="k">Feasible</div>
              <div className="v">
                {feasibleCount.toLocaleString('en-US')}
                <span className="faint" style={{ fontSize: 14 }}>
                  {' '}
                  / {counts.complete.toLocaleString('en-US')}
                </span>
              </div>
              <div className="s">complete trials within every constraint</div>
            </div>
          ) : null}
          <div className="card stat">
            <div className="k">Complete</div>
            <div className="v" style={{ color: 'var(--good)' }}>
              {counts.complete.toLocaleString('en-US')}
            </div>
            <div className="s">with a value</div>
          </div>
          <div className="card stat">
            <div className="k">Pruned</div>
            <div className="v" style={{ color: 'var(--warn)' }}>
              {counts.pruned.toLocaleString('en-US')}
            </div>
            <div className="s">stopped early</div>
          </div>
          <div className="card stat">
            <div className="k">Failed</div>
            <div className="v" style={{ color: counts.failed ? 'var(--bad)' : undefined }}>
              {counts.failed.toLocaleString('en-US')}
            </div>
            <div className="s">errors or stale workers</div>
          </div>
        </div>
        {pareto ? (
          <ParetoChart
            view={pareto}
            referencePoint={study.referencePoint}
            trials={trials}
            loading={trialsLoading && trials.length === 0}
            trialHref={props.trialHref}
          />
        ) : null}
        <div className="grid-2">
          {pareto ? (
            <HypervolumeChart
              history={study.hypervolumeHistory}
              referencePoint={study.referencePoint}
              loading={trialsLoading && trials.length === 0}
            />
          ) : (
            <UrlConvergenceChart
              trials={props.convergenceTrials ?? trials}
              direction={study.direction}
              objective={study.objective}
              loading={trialsLoading && (props.convergenceTrials ?? trials).length === 0}
              trialHref={props.trialHref}
            />
          )}
          <UrlLearningCurvesChart
            store={props.store}
            version={props.curvesVersion}
            baseVersion={props.curvesBaseVersion}
            trials={trials}
            objective={study.objective}
            loading={props.curvesLoading && props.store.size === 0}
            complete={!props.curvesLoading}
            live={props.live}
            bestTrialId={study.bestTrialId}
            trialHref={props.trialHref}
          />
        </div>
        <TrialsWorkbench
          studyName={study.name}
          trials={trials}
          params={names}
          objective={study.objective}
          bestTrialId={study.bestTrialId}
          objectives={study.objectives}
          constraints={study.constraints}
          frontIds={pareto?.frontIds}
          loading={trialsLoading}
          trialHref={props.trialHref}
          store={props.store}
          curvesVersion={props.curvesVersion}
        />
        {props.workers?.panel}
        <LazyMount minHeight={400} label="Parallel coordinates" enabled={!trialsLoading}>
          <ParallelChart
            space={study.searchSpace}
            trials={trials}
            objective={study.objective}
            direction={study.direction}
            objectives={study.objectives}
            loading={trialsLoading}
          />
        </LazyMount>
        {multi ? <ObjectiveSelector objectives={study.objectives} index={objIndex} /> : null}
        <LazyMount minHeight={700} label="Contour, EDF and slice plots" enabled={!trialsLoading}>
          <HpoPlots
            space={study.searchSpace}
            trials={shownTrials}
            objective={shown.name}
            direction={shown.direction}
            loading={trialsLoading}
            constrained={constrained}
          />
        </LazyMount>
        <LazyMount
          minHeight={360}
          label="Parameter importance"
          enabled={!trialsLoading}
          onMount={props.onInsightsVisible}
        >
          <EstimatedImportanceChart
            importance={props.importance}
            space={study.searchSpace}
            trials={shownTrials}
            loading={trialsLoading}
            direction={shown.direction}
            objective={shown.name}
          />
        </LazyMount>
        <LazyMount
          minHeight={440}
          label="GP surrogate and predicted versus actual"
          enabled={!trialsLoading}
          onMount={props.onInsightsVisible}
        >
          <div className="grid-2">
            <SurrogateChart
              slice={props.surrogate}
              trials={shownTrials}
              params={numericNames}
              param={props.gpParam}
              onParam={props.onGpParam}
              objective={shown.name}
              logX={gpSpec !== undefined && gpSpec.type !== 'categorical' && gpSpec.log === true}
              loading={props.surrogateLoading}
              unavailable={props.surrogateUnavailable}
              samplerType={study.sampler.type}
            />
            {/* only a GP predicts the trials it suggests: other samplers have nothing to compare */}
            {study.sampler.type === 'gp' ? (
              <PredictedChart
                trials={trials}
                objective={study.objective}
                loading={trialsLoading && trials.length === 0}
              />
            ) : null}
          </div>
        </LazyMount>
      </div>
    </SelectionProvider>
  );
}

// Each chart reads its own URL key, so a click on one control re-renders that chart, not the page.
const setLogScale = (v: boolean) => patchUrl({ log: v ? '1' : null });
const setMetric = (m: string) => patchUrl({ metric: m });

function UrlConvergenceChart(props: Omit<ConvergenceChartProps, 'logScale' | 'onLogScale'>) {
  const log = useUrlParam('log') === '1';
  return <ConvergenceChart {...props} logScale={log} onLogScale={setLogScale} />;
}

const setCurvesLog = (v: boolean) => patchUrl({ lclog: v ? '1' : null });
const setSmoothing = (w: number) => patchUrl({ lcsmooth: w > 0 ? String(w) : null });

function UrlLearningCurvesChart(props: Omit<LearningCurvesChartProps, 'metric' | 'onMetric'>) {
  const smoothing = Number(useUrlParam('lcsmooth') ?? '0');
  return (
    <LearningCurvesChart
      {...props}
      metric={useUrlParam('metric')}
      onMetric={setMetric}
      logY={useUrlParam('lclog') === '1'}
      onLogY={setCurvesLog}
      smoothing={Number.isFinite(smoothing) && smoothing > 0 && smoothing < 1 ? smoothing : 0}
      onSmoothing={setSmoothing}
    />
  );
}

/**
 * The server's importance, or a quick estimate from the trials until it comes. Estimated here, below
 * the fold and mounted on scroll, not in the page body: ranking every trial per parameter took tens
 * of milliseconds of the render that first shows the trials.
 */
function EstimatedImportanceChart({
  importance,
  space,
  trials,
  loading,
  direction,
  objective,
}: {
  importance: readonly ParamImportance[] | null;
  space: Study['searchSpace'];
  trials: readonly Trial[];
  loading: boolean;
  direction: Study['direction'];
  objective: string;
}) {
  const shown = useMemo(
    () => importance ?? (loading ? [] : estimateImportance(space, trials)),
    [importance, space, trials, loading],
  );
  const effects = useMemo(
    () => (loading ? undefined : paramEffects(space, trials, direction)),
    [space, trials, direction, loading],
  );
  return (
    <ImportanceChart
      importance={shown}
      source={importance ? 'model' : 'estimate'}
      loading={loading}
      effects={effects}
      objective={objective}
    />
  );
}

const setObjective = (index: number) => patchUrl({ obj: objectiveParam(index) });

/** Which objective the per-objective charts below show, in a multi-objective study (URL key `obj`). */
function ObjectiveSelector({
  objectives,
  index,
}: {
  objectives: ReadonlyArray<{ name: string; direction: Study['direction'] }>;
  index: number;
}) {
  return (
    <div className="card row" data-testid="objective-selector" style={{ gap: 8, padding: '8px 12px' }}>
      <label htmlFor="objective-selector">
        Objective shown in the slice, contour, EDF, importance and surrogate charts
      </label>
      <select
        id="objective-selector"
        value={String(index)}
        onChange={(e) => setObjective(Number(e.target.value))}
        style={{ height: 26 }}
      >
        {objectives.map((o, i) => (
          <option key={o.name} value={String(i)}>
            {o.name} ({directionTag(o.direction)})
          </option>
        ))}
      </select>
    </div>
  );
}
