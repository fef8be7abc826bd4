'use client';

import { bestTrial, isTerminal } from '@posterior/core';
import { PosteriorError } from '@posterior/sdk';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  getClient,
  saveBlob,
  subscribeMetricPoints,
  subscribeStudyUpdates,
  subscribeTrialEvents,
} from '../../lib/api/client';
import { toMetricPoint, toTrial } from '../../lib/api/convert';
import {
  deleteStudy,
  loadCurves,
  loadHistory,
  loadImportance,
  loadRecommended,
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
import { objectiveIndex } from '../../lib/objective-view';
import { isInfeasible } from '../../lib/pareto';
import { buildReport } from '../../lib/report';
import { can } from '../../lib/roles';
import { emptyCounts, type Study, type Trial, type TrialCounts, totalTrials } from '../../lib/types';
import { useSession } from '../session';
import { ErrorState, PageSkeleton } from '../ui/states';
import { StudyView } from './study-view';
import { NoWorkerBanner, WorkersPanel } from './workers-panel';

/** A refetch after a reconnect reloads every curve at most this often (polls in between skip them). */
const CURVES_RESYNC_MS = 10_000;
/** How often an open study page rereads the study itself (its state has no live event). */
const STUDY_REFRESH_MS = 15_000;

/** Insights (importance, the GP surrogate) refetch at most this often as trials finish. */
const INSIGHTS_REFRESH_MS = 5000;

/**
 * A reread study, or the one held when nothing the page takes from it changed: its counts and best
 * value are recomputed from the live trials anyway, and a new object would re-render every chart
 * each time the study is reread.
 */
function keepIfSame(prev: Study | undefined, next: Study): Study {
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

/** Query-cache keys of the page: the study, and the insights (model fits) that follow its trials. */
const studyKey = (id: string) => ['study', id] as const;
const insightsKey = (id: string) => ['insights', id] as const;

async function fetchStudy(id: string, signal: AbortSignal): Promise<Study> {
  const s = await loadStudy(id, signal);
  if (!s) throw new PosteriorError('NOT_FOUND', 'study not found');
  return s;
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
  const queryClient = useQueryClient();
  // The study (rereads keep the held object when nothing shown changed), every STUDY_REFRESH_MS
  // while the tab is visible: its own state (DONE, PAUSED by a teammate) has no live event.
  const studyOptions = useMemo(
    () => ({
      queryKey: studyKey(studyId),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchStudy(studyId, signal),
      structuralSharing: (prev: unknown, next: unknown) =>
        keepIfSame(prev as Study | undefined, next as Study),
    }),
    [studyId],
  );
  const studyQuery = useQuery({ ...studyOptions, refetchInterval: STUDY_REFRESH_MS });
  const study = studyQuery.data ?? null;
  // The live trial list and curves: loaded once (the queries below), then kept current by the
  // subscriptions and merged with refetches after reconnects.
  const trialsRef = useRef(new Map<string, Trial>());
  const [trials, setTrials] = useState<Trial[]>([]);
  const [historyTrials, setHistoryTrials] = useState<Trial[] | null>(null);
  const storeRef = useRef(new CurveStore());
  const [curvesVersion, setCurvesVersion] = useState(0);
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

  // The last trial to finish ends the study, and that has no event of its own: reread it soon after.
  const studyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshStudySoon = useCallback(() => {
    if (studyTimer.current !== null) return;
    studyTimer.current = setTimeout(() => {
      studyTimer.current = null;
      void queryClient.invalidateQueries({ queryKey: studyKey(studyId) });
    }, 400);
  }, [queryClient, studyId]);
  // Insights are model fits on the server (seconds of CPU on a big study): as trials finish they are
  // refetched, at most every INSIGHTS_REFRESH_MS.
  const lastInsights = useRef(0);
  const insightsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshInsightsSoon = useCallback(() => {
    if (insightsTimer.current !== null) return;
    const wait = Math.max(0, INSIGHTS_REFRESH_MS - (Date.now() - lastInsights.current));
    insightsTimer.current = setTimeout(() => {
      insightsTimer.current = null;
      lastInsights.current = Date.now();
      void queryClient.invalidateQueries({ queryKey: insightsKey(studyId) });
    }, wait);
  }, [queryClient, studyId]);
  useEffect(
    () => () => {
      for (const timer of [studyTimer, insightsTimer]) {
        if (timer.current !== null) clearTimeout(timer.current);
        timer.current = null;
      }
    },
    [],
  );
  // Subscribe before loading (this effect runs before the load queries below start) so nothing that
  // happens during the load is missed.
  useEffect(() => {
    trialsRef.current = new Map();
    storeRef.current = new CurveStore();
    bulkLoading.current = true;
    setTrials([]);
    setHistoryTrials(null);
    const unsubscribeTrials = subscribeTrialEvents(studyId, {
      next: (e) => {
        const t = toTrial(e.trial);
        trialsRef.current.set(t.id, newerTrial(trialsRef.current.get(t.id), t));
        // an annotation (note, tags, attributes) changed: the trial as it is now, nothing finished
        if (isTerminal(e.type) && !e.annotated) {
          refreshInsightsSoon();
          // the last trial to finish ends the study: its state has no event of its own
          refreshStudySoon();
        }
        flush('trials');
      },
    });
    // the description (set on another page, or by the CLI) has no trial event: reread the study
    const unsubscribeStudy = subscribeStudyUpdates(studyId, () => refreshStudySoon());
    const unsubscribeMetrics = subscribeMetricPoints(studyId, null, {
      next: (points) => {
        if (storeRef.current.add(points.map(toMetricPoint))) flush('curves');
      },
    });
    return () => {
      unsubscribeTrials();
      unsubscribeStudy();
      unsubscribeMetrics();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      if (bulkTimer.current !== null) clearTimeout(bulkTimer.current);
      bulkTimer.current = null;
    };
  }, [studyId, flush, refreshStudySoon, refreshInsightsSoon]);

  // The first load of every trial (once per visit: live events keep them current). Its pages merge
  // into the live list, so a retry after an error keeps what arrived meanwhile.
  const trialsQuery = useQuery({
    queryKey: ['trials', studyId],
    queryFn: async ({ signal }) => {
      bulkLoading.current = true;
      // The study and its trials in parallel: one round trip less before the first chart.
      const trialsLoaded = loadTrials(
        studyId,
        (page) => {
          for (const t of page) if (!trialsRef.current.has(t.id)) trialsRef.current.set(t.id, t);
          flush('trials');
        },
        signal,
      );
      trialsLoaded.catch(() => {}); // awaited (and its error reported) below
      // The page's study query asks for the same study: one request serves both.
      const s = await queryClient.fetchQuery(studyOptions);
      // On a big study the history (one cheap request) draws the convergence plot while the trial
      // table is still on its way; a small study's table arrives as soon. Drawn only if the trials
      // are still missing a moment later: a plot replaced at once is wasted main-thread time.
      if (totalTrials(s.trialCounts) > HISTORY_FIRST_ABOVE) {
        loadHistory(studyId, signal).then(
          (h) =>
            setTimeout(() => {
              if (!signal.aborted && bulkLoading.current && trialsRef.current.size < h.length)
                setHistoryTrials(h);
            }, 150),
          () => {},
        );
      }
      await trialsLoaded;
      bulkLoading.current = false;
      if (bulkTimer.current !== null) clearTimeout(bulkTimer.current);
      bulkTimer.current = null;
      dirtyTrials.current = false;
      // one render with every trial and the heavy charts switched on
      setTrials([...trialsRef.current.values()].sort((a, b) => a.number - b.number));
      setHistoryTrials(null);
      return true;
    },
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });
  const trialsLoading = !trialsQuery.isSuccess;

  // Then every curve's history, in one request. Not earlier: on a big study it would slow the trial
  // pages the first screen needs. The answer is the curve store's version once it is in.
  const curvesQuery = useQuery({
    queryKey: ['curves', studyId],
    queryFn: async ({ signal }) => {
      // Let the page paint the trials and answer input before the curves' history (up to 200,000
      // points to parse and draw) takes the main thread.
      await whenIdle(signal);
      try {
        storeRef.current.add(await loadCurves(studyId, signal));
      } catch (e) {
        // History of curves is a nice-to-have: live points keep arriving either way.
        if (!signal.aborted) console.warn('learning curves: could not load history', e);
      }
      flush('curves');
      return storeRef.current.version;
    },
    enabled: trialsQuery.isSuccess,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });

  // After a reconnect (or on a timer while the socket is down) the page refetches what it shows and
  // merges it with what arrived live, so it ends equal to the API however many events it missed.
  const lastCurvesSync = useRef(0);
  const resync = useCallback(
    async (signal: AbortSignal) => {
      const fresh: Trial[] = [];
      const curvesDue = Date.now() - lastCurvesSync.current > CURVES_RESYNC_MS;
      await Promise.all([
        // Into the query cache (fetchQuery throws, so a failed reread leaves the page stale).
        queryClient.fetchQuery({ ...studyOptions, staleTime: 0 }),
        loadTrials(studyId, (page) => fresh.push(...page), signal),
        curvesDue
          ? loadCurves(studyId, signal).then((all) => {
              lastCurvesSync.current = Date.now();
              if (!signal.aborted && storeRef.current.add(all)) flush('curves');
            })
          : null,
      ]);
      if (signal.aborted) return;
      trialsRef.current = mergeTrials(trialsRef.current, fresh);
      flush('trials');
    },
    [studyId, flush, queryClient, studyOptions],
  );
  // Only once the first load is in: it covers everything before, and polls must not race it.
  const liveStatus = useLiveSync(resync, study !== null && !trialsLoading);

  // Counts and best trial follow the live trial list once it is loaded.
  const liveStudy = useMemo<Study | null>(() => {
    if (!study) return null;
    if (trialsLoading) return study;
    const counts = countsOf(trials);
    // a multi-objective study has a front, not a best trial; a constrained one's best is feasible
    const best = study.isMultiObjective
      ? undefined
      : bestTrial(
          study.direction,
          study.constraints.length ? trials.filter((t) => !isInfeasible(t)) : trials,
        );
    return { ...study, trialCounts: counts, bestValue: best?.value ?? null, bestTrialId: best?.id ?? null };
  }, [study, trials, trialsLoading]);

  const insightsEnabled = insightsWanted && study !== null;
  // The objective the view's selector shows (URL key `obj`, as StudyView reads it): the server fits
  // importance and the surrogate on it. null is the first, the API's default, so single-objective
  // studies (and the first objective) send exactly the request they always did.
  const objParam = useUrlParam('obj');
  const objIndex =
    study?.isMultiObjective && study.objectives.length > 1
      ? objectiveIndex(objParam, study.objectives.length)
      : 0;
  const insightObjective = objIndex > 0 ? (study?.objectives[objIndex]?.name ?? null) : null;
  const importanceQuery = useQuery({
    queryKey: [...insightsKey(studyId), 'importance', insightObjective],
    queryFn: async ({ signal }) => {
      lastInsights.current = Date.now();
      const imp = await loadImportance(studyId, insightObjective, signal);
      return imp.length ? normalizeImportance(imp) : null;
    },
    enabled: insightsEnabled,
  });
  const importance = importanceQuery.isError ? null : (importanceQuery.data ?? null);
  // The model's pick beside the best observed trial: once the trials are in (a GP fit on the server,
  // so not before the first screen), refreshed with the insights as trials finish.
  const hasComplete = (study?.trialCounts.complete ?? 0) > 0 || trials.some((t) => t.state === 'COMPLETE');
  const recommendedQuery = useQuery({
    queryKey: [...insightsKey(studyId), 'recommended'],
    queryFn: ({ signal }) => loadRecommended(studyId, signal),
    enabled: study !== null && !trialsLoading && hasComplete,
  });
  const recommended = recommendedQuery.isError ? null : (recommendedQuery.data ?? null);

  const numericParams = useMemo(
    () => (study ? study.searchSpace.filter((p) => p.type !== 'categorical').map((p) => p.name) : []),
    [study],
  );
  const gpParamRaw = useUrlParam('gp');
  const gpParam = gpParamRaw && numericParams.includes(gpParamRaw) ? gpParamRaw : (numericParams[0] ?? null);
  const surrogateQuery = useQuery({
    queryKey: [...insightsKey(studyId), 'surrogate', gpParam, insightObjective],
    queryFn: ({ signal }) => loadSurrogate(studyId, gpParam ?? '', insightObjective, signal),
    enabled: insightsEnabled && gpParam !== null,
    // Another parameter's slice stays until this one's lands (the view shows only a matching one);
    // another objective's never does: its curve would pass for this objective's.
    placeholderData: (prev, prevQuery) =>
      prevQuery?.queryKey[4] === insightObjective ? keepPreviousData(prev) : undefined,
  });
  const surrogate = surrogateQuery.isError ? null : (surrogateQuery.data ?? null);
  let surrogateLoading = true;
  let surrogateWhy: string | null = null;
  if (insightsWanted && (!study || !gpParam)) {
    surrogateLoading = false;
    surrogateWhy = 'The surrogate view needs a numeric (float or int) parameter.';
  } else if (study && insightsWanted) {
    surrogateLoading = surrogateQuery.isPending;
    if (surrogateQuery.isError) {
      const e = surrogateQuery.error;
      surrogateWhy = `The model could not be fit yet (${e instanceof Error ? e.message : String(e)}).`;
    } else if (surrogateQuery.isSuccess && surrogateQuery.data === null)
      surrogateWhy =
        study.sampler.type === 'gp'
          ? 'The GP is fit once a few trials complete; the surrogate appears then.'
          : `This study uses the ${study.sampler.type} sampler; the surrogate is fit on demand once trials complete.`;
  }

  const role = study ? (session.teams.find((t) => t.id === study.teamId)?.role ?? null) : null;
  useDocumentTitle(study ? `${study.name} · Posterior` : null);

  const shownError = trialsQuery.error ?? (study ? null : studyQuery.error);
  if (shownError)
    return (
      <ErrorState
        error={shownError}
        onRetry={() => {
          void studyQuery.refetch();
          void trialsQuery.refetch();
        }}
      />
    );
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
      curvesBaseVersion={curvesQuery.data ?? 0}
      curvesLoading={!curvesQuery.isSuccess}
      live={
        liveStatus === 'live' &&
        study &&
        (study.state === 'DONE' || study.state === 'ARCHIVED') &&
        !trials.some((t) => t.state === 'RUNNING')
          ? 'finished'
          : liveStatus
      }
      importance={importance}
      recommended={recommended}
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
                queryClient.setQueryData<Study>(studyKey(studyId), (prev) =>
                  prev ? { ...prev, state: updated.state } : prev,
                );
              },
              async enqueue(params) {
                const t = toTrial(await getClient().enqueueTrial(studyId, params));
                trialsRef.current.set(t.id, t);
                flush('trials');
              },
              async setDescription(description) {
                const updated = await getClient().setStudyDescription(studyId, description);
                queryClient.setQueryData<Study>(studyKey(studyId), (prev) =>
                  prev ? { ...prev, description: updated.description ?? null } : prev,
                );
              },
              async setBudget(maxTrials, resume) {
                await setStudyBudget(studyId, maxTrials);
                if (resume) await getClient().setStudyState(studyId, 'RUNNING');
                await queryClient.fetchQuery({ ...studyOptions, staleTime: 0 });
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
      workers={
        trialsLoading
          ? undefined
          : {
              banner: <NoWorkerBanner study={s} trials={trials} />,
              panel: <WorkersPanel study={s} trials={trials} />,
            }
      }
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
