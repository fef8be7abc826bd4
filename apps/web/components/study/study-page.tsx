'use client';

import { bestTrial, isTerminal } from '@posterior/core';
import { PosteriorError } from '@posterior/sdk';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getClient, saveBlob, subscribeMetricPoints, subscribeTrialEvents } from '../../lib/api/client';
import { toMetricPoint, toTrial } from '../../lib/api/convert';
import {
  deleteStudy,
  loadCurves,
  loadHistory,
  loadImportance,
  loadMetricsOf,
  loadReport,
  loadStudy,
  loadSurrogate,
  loadTrials,
  setStudyBudget,
} from '../../lib/api/queries';
import { useDocumentTitle } from '../../lib/client/use-document-title';
import { useLiveSync } from '../../lib/client/use-live';
import { patchUrl, useUrlParam } from '../../lib/client/use-url-query';
import { normalizeImportance } from '../../lib/importance';
import { CurveStore } from '../../lib/learning-curves';
import { mergeTrials, newerTrial } from '../../lib/live-sync';
import { buildReport } from '../../lib/report';
import { can } from '../../lib/roles';
import {
  emptyCounts,
  type ParamImportance,
  type Study,
  type SurrogateSlice,
  type Trial,
  type TrialCounts,
  totalTrials,
} from '../../lib/types';
import { useSession } from '../session';
import { ErrorState, PageSkeleton } from '../ui/states';
import { StudyView } from './study-view';

/** A refetch after a reconnect reloads every curve at most this often (polls in between skip them). */
const CURVES_RESYNC_MS = 10_000;
/** How often an open study page rereads the study itself (its state has no live event). */
const STUDY_REFRESH_MS = 15_000;

/**
 * A reread study, or the one held when nothing the page takes from it changed: its counts and best
 * value are recomputed from the live trials anyway, and a new object would refetch the insights
 * (a model fit on the server) every time the study is reread.
 */
function keepIfSame(prev: Study | null, next: Study): Study {
  if (!prev) return next;
  const strip = (x: Study) =>
    JSON.stringify({ ...x, trialCounts: null, bestValue: null, bestTrialId: null, history: null });
  return strip(prev) === strip(next) ? prev : next;
}

/** Studies with more trials than this draw the convergence plot from `history` first. */
const HISTORY_FIRST_ABOVE = 2000;

/** Resolves after the next paint once the main thread is idle (or after 1 s at the latest). */
function whenIdle(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    requestAnimationFrame(() => {
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 1000 });
      else setTimeout(resolve, 50);
    });
  });
}

function countsOf(trials: Iterable<Trial>): TrialCounts {
  const c = emptyCounts();
  for (const t of trials) c[t.state.toLowerCase() as keyof TrialCounts]++;
  return c;
}

/** The study page wired to the API: live subscriptions, the study and its trial table, then every curve. */
export function StudyPage({ studyId }: { studyId: string }) {
  const session = useSession();
  const router = useRouter();
  const [study, setStudy] = useState<Study | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloadTick, setReloadTick] = useState(0);
  const trialsRef = useRef(new Map<string, Trial>());
  const [trials, setTrials] = useState<Trial[]>([]);
  const [trialsLoading, setTrialsLoading] = useState(true);
  const [historyTrials, setHistoryTrials] = useState<Trial[] | null>(null);
  const storeRef = useRef(new CurveStore());
  const [curvesVersion, setCurvesVersion] = useState(0);
  const [curvesBase, setCurvesBase] = useState(0);
  const [curvesLoading, setCurvesLoading] = useState(true);
  const [importance, setImportance] = useState<ParamImportance[] | null>(null);
  const [surrogate, setSurrogate] = useState<SurrogateSlice | null>(null);
  const [surrogateLoading, setSurrogateLoading] = useState(true);
  const [surrogateWhy, setSurrogateWhy] = useState<string | null>(null);
  const [insightTick, setInsightTick] = useState(0);
  // Importance and the GP surrogate fit a model on the server (seconds of CPU on a big study): fetch
  // them once their charts, below the fold, come into view, not while the page is loading.
  const [insightsWanted, setInsightsWanted] = useState(false);
  const wantInsights = useCallback(() => setInsightsWanted(true), []);

  // Coalesce bursts of updates into one render per animation frame; a metric point re-renders only the
  // learning curves, a trial change re-renders the trial-based charts.
  const frame = useRef<number | null>(null);
  const dirtyTrials = useRef(false);
  const bulkTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const bulkLoading = useRef(true);
  const flush = useCallback((what: 'trials' | 'curves') => {
    if (what === 'trials') dirtyTrials.current = true;
    const run = () => {
      frame.current = null;
      if (dirtyTrials.current) {
        dirtyTrials.current = false;
        setTrials([...trialsRef.current.values()].sort((a, b) => a.number - b.number));
      }
      setCurvesVersion(storeRef.current.version);
    };
    // While pages of trials stream in, redraw at most every 700 ms (each redraw re-shapes every chart).
    if (what === 'trials' && bulkLoading.current) {
      bulkTimer.current ??= setTimeout(() => {
        bulkTimer.current = null;
        run();
      }, 700);
      return;
    }
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(run);
  }, []);

  // The study's own state (DONE when its last trial finishes, PAUSED by a teammate) has no event:
  // read it again shortly after trials finish, and every so often while the page is open.
  const studyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshStudy = useCallback(() => {
    loadStudy(studyId).then(
      (s) => {
        if (s) setStudy((prev) => keepIfSame(prev, s));
      },
      () => {},
    );
  }, [studyId]);
  const refreshStudySoon = useCallback(() => {
    if (studyTimer.current !== null) return;
    studyTimer.current = setTimeout(() => {
      studyTimer.current = null;
      refreshStudy();
    }, 400);
  }, [refreshStudy]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadTick restarts everything
  useEffect(() => {
    const ctl = new AbortController();
    trialsRef.current = new Map();
    storeRef.current = new CurveStore();
    bulkLoading.current = true;
    setTrials([]);
    setTrialsLoading(true);
    setCurvesLoading(true);
    setError(null);
    let unsubscribeTrials = () => {};
    let unsubscribeMetrics = () => {};
    (async () => {
      try {
        // Subscribe before loading so nothing that happens during the load is missed.
        unsubscribeTrials = subscribeTrialEvents(studyId, {
          next: (e) => {
            const t = toTrial(e.trial);
            trialsRef.current.set(t.id, newerTrial(trialsRef.current.get(t.id), t));
            if (isTerminal(e.type)) {
              setInsightTick((x) => x + 1);
              // the last trial to finish ends the study: its state has no event of its own
              refreshStudySoon();
            }
            flush('trials');
          },
        });
        unsubscribeMetrics = subscribeMetricPoints(studyId, null, {
          next: (points) => {
            if (storeRef.current.add(points.map(toMetricPoint))) flush('curves');
          },
        });
        // The study and its trials in parallel: one round trip less before the first chart.
        const trialsLoaded = loadTrials(
          studyId,
          (page) => {
            for (const t of page) if (!trialsRef.current.has(t.id)) trialsRef.current.set(t.id, t);
            flush('trials');
          },
          ctl.signal,
        );
        trialsLoaded.catch(() => {}); // awaited (and its error reported) below
        const s = await loadStudy(studyId, ctl.signal);
        if (ctl.signal.aborted) return;
        if (!s) {
          setError(new PosteriorError('NOT_FOUND', 'study not found'));
          return;
        }
        setStudy(s);
        // On a big study the history (one cheap request) draws the convergence plot while the trial
        // table is still on its way; a small study's table arrives as soon. Drawn only if the trials
        // are still missing a moment later: a plot replaced at once is wasted main-thread time.
        if (totalTrials(s.trialCounts) > HISTORY_FIRST_ABOVE) {
          loadHistory(studyId, ctl.signal).then(
            (h) =>
              setTimeout(() => {
                if (!ctl.signal.aborted && bulkLoading.current && trialsRef.current.size < h.length)
                  setHistoryTrials(h);
              }, 150),
            () => {},
          );
        }
        await trialsLoaded;
        if (ctl.signal.aborted) return;
        bulkLoading.current = false;
        if (bulkTimer.current !== null) clearTimeout(bulkTimer.current);
        bulkTimer.current = null;
        dirtyTrials.current = false;
        // one render with every trial and the heavy charts switched on
        setTrials([...trialsRef.current.values()].sort((a, b) => a.number - b.number));
        setTrialsLoading(false);
        setHistoryTrials(null);
        // Let the page paint the trials and answer input before the curves' history (up to 200,000
        // points to parse and draw) takes the main thread.
        await whenIdle(ctl.signal);
        if (ctl.signal.aborted) return;
        // Curves of running trials first (they are what people watch), then the newest finished ones.
        const order = [...trialsRef.current.values()].sort(
          (a, b) => Number(b.state === 'RUNNING') - Number(a.state === 'RUNNING') || b.number - a.number,
        );
        try {
          // Every curve in one request once the trials are in (null: the API lacks Study.curves). Not
          // earlier: on a big study this request would slow the trial pages the first screen needs.
          const all = await loadCurves(studyId, ctl.signal);
          if (all) {
            storeRef.current.add(all);
            flush('curves');
          } else {
            // an API without Study.curves: fetch trial by trial, in batches
            await loadMetricsOf(
              order.map((t) => t.id),
              (points) => {
                storeRef.current.add(points);
                flush('curves');
              },
              ctl.signal,
            );
          }
        } catch (e) {
          // History of curves is a nice-to-have: live points keep arriving either way.
          if (!ctl.signal.aborted) console.warn('learning curves: could not load history', e);
        }
        setCurvesLoading(false);
        setCurvesBase(storeRef.current.version);
        flush('curves');
      } catch (e) {
        if (!ctl.signal.aborted) setError(e);
      }
    })();
    return () => {
      ctl.abort();
      unsubscribeTrials();
      unsubscribeMetrics();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      if (bulkTimer.current !== null) clearTimeout(bulkTimer.current);
      bulkTimer.current = null;
    };
  }, [studyId, flush, refreshStudySoon, reloadTick]);

  // After a reconnect (or on a timer while the socket is down) the page refetches what it shows and
  // merges it with what arrived live, so it ends equal to the API however many events it missed.
  const lastCurvesSync = useRef(0);
  const resync = useCallback(
    async (signal: AbortSignal) => {
      const fresh: Trial[] = [];
      const curvesDue = Date.now() - lastCurvesSync.current > CURVES_RESYNC_MS;
      const [s] = await Promise.all([
        loadStudy(studyId, signal),
        loadTrials(studyId, (page) => fresh.push(...page), signal),
        curvesDue
          ? loadCurves(studyId, signal).then((all) => {
              lastCurvesSync.current = Date.now();
              if (all && !signal.aborted && storeRef.current.add(all)) flush('curves');
            })
          : null,
      ]);
      if (signal.aborted) return;
      trialsRef.current = mergeTrials(trialsRef.current, fresh);
      flush('trials');
      if (s) setStudy((prev) => keepIfSame(prev, s));
    },
    [studyId, flush],
  );
  // Only once the first load is in: it covers everything before, and polls must not race it.
  const liveStatus = useLiveSync(resync, study !== null && !trialsLoading);

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') refreshStudy();
    }, STUDY_REFRESH_MS);
    return () => {
      clearInterval(timer);
      if (studyTimer.current !== null) clearTimeout(studyTimer.current);
      studyTimer.current = null;
    };
  }, [refreshStudy]);

  // Counts and best trial follow the live trial list once it is loaded.
  const liveStudy = useMemo<Study | null>(() => {
    if (!study) return null;
    if (trialsLoading) return study;
    const counts = countsOf(trials);
    const best = bestTrial(study.direction, trials);
    return { ...study, trialCounts: counts, bestValue: best?.value ?? null, bestTrialId: best?.id ?? null };
  }, [study, trials, trialsLoading]);

  // Insights refresh when trials finish (at most every 5 s).
  const lastInsight = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: insightTick triggers a refresh
  useEffect(() => {
    if (!study || !insightsWanted) return;
    const wait = Math.max(0, 5000 - (Date.now() - lastInsight.current));
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      lastInsight.current = Date.now();
      loadImportance(studyId, ctl.signal).then(
        (imp) => setImportance(imp.length ? normalizeImportance(imp) : null),
        () => setImportance(null),
      );
    }, wait);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [study, studyId, insightTick, insightsWanted]);

  const numericParams = useMemo(
    () => (study ? study.searchSpace.filter((p) => p.type !== 'categorical').map((p) => p.name) : []),
    [study],
  );
  const gpParamRaw = useUrlParam('gp');
  const gpParam = gpParamRaw && numericParams.includes(gpParamRaw) ? gpParamRaw : (numericParams[0] ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: insightTick refreshes the surrogate
  useEffect(() => {
    if (!insightsWanted) return;
    if (!study || !gpParam) {
      setSurrogateWhy('The surrogate view needs a numeric (float or int) parameter.');
      setSurrogateLoading(false);
      return;
    }
    const ctl = new AbortController();
    setSurrogateLoading((prev) => prev || surrogate === null);
    loadSurrogate(studyId, gpParam, ctl.signal).then(
      (s) => {
        setSurrogate(s);
        setSurrogateWhy(
          s
            ? null
            : study.sampler.type === 'gp'
              ? 'The GP is fit once a few trials complete; the surrogate appears then.'
              : `This study uses the ${study.sampler.type} sampler; the surrogate is fit on demand once trials complete.`,
        );
        setSurrogateLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setSurrogate(null);
        setSurrogateWhy(`The model could not be fit yet (${e instanceof Error ? e.message : String(e)}).`);
        setSurrogateLoading(false);
      },
    );
    return () => ctl.abort();
  }, [study, studyId, gpParam, insightTick, insightsWanted]);

  const role = study ? (session.teams.find((t) => t.id === study.teamId)?.role ?? null) : null;
  useDocumentTitle(study ? `${study.name} · Posterior` : null);

  if (error) return <ErrorState error={error} onRetry={() => setReloadTick((x) => x + 1)} />;
  if (!liveStudy) return <PageSkeleton label="Loading study" />;
  const s = liveStudy;
  return (
    <StudyView
      study={s}
      trials={trials}
      convergenceTrials={historyTrials && historyTrials.length > trials.length ? historyTrials : trials}
      trialsLoading={trialsLoading}
      store={storeRef.current}
      curvesVersion={curvesVersion}
      curvesBaseVersion={curvesBase}
      curvesLoading={curvesLoading}
      live={
        liveStatus === 'live' &&
        study &&
        (study.state === 'DONE' || study.state === 'ARCHIVED') &&
        !trials.some((t) => t.state === 'RUNNING')
          ? 'finished'
          : liveStatus
      }
      importance={importance}
      surrogate={surrogate && surrogate.param === gpParam ? surrogate : null}
      surrogateLoading={surrogateLoading}
      surrogateUnavailable={surrogateWhy}
      gpParam={gpParam}
      onGpParam={(p) => patchUrl({ gp: p })}
      actions={
        can(role, 'MEMBER')
          ? {
              async setState(state) {
                const updated = await getClient().setStudyState(studyId, state);
                setStudy((prev) => (prev ? { ...prev, state: updated.state } : prev));
              },
              async enqueue(params) {
                const t = toTrial(await getClient().enqueueTrial(studyId, params));
                trialsRef.current.set(t.id, t);
                flush('trials');
              },
              async setBudget(maxTrials, resume) {
                await setStudyBudget(studyId, maxTrials);
                if (resume) await getClient().setStudyState(studyId, 'RUNNING');
                const fresh = await loadStudy(studyId);
                if (fresh) setStudy(fresh);
              },
              cloneHref: s.teamId
                ? `/teams/${s.teamId}/studies/new?from=${encodeURIComponent(studyId)}`
                : undefined,
              remove:
                can(role, 'ADMIN') && s.state !== 'RUNNING'
                  ? async () => {
                      await deleteStudy(studyId);
                      router.replace(s.teamId ? `/teams/${s.teamId}/studies` : '/');
                    }
                  : undefined,
            }
          : null
      }
      onInsightsVisible={wantInsights}
      onDownloadReport={async () => {
        let text: string | null = null;
        try {
          text = await loadReport(studyId);
        } catch {
          text = null;
        }
        saveBlob(
          new Blob([text ?? buildReport(s, trials)], { type: 'text/plain;charset=utf-8' }),
          'bayes_opt.txt',
        );
      }}
      trialHref={(id) => `/trials/${id}`}
      breadcrumb={
        s.teamId ? (
          <div className="breadcrumbs">
            <Link prefetch={false} href={`/teams/${s.teamId}/studies`}>
              Studies
            </Link>{' '}
            / {s.name}
          </div>
        ) : null
      }
    />
  );
}
