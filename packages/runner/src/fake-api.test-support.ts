/** An in-process stand-in for the API, for unit tests of the worker loop's logic. */
import {
  isTerminal,
  type MetricPointInput,
  type Params,
  PosteriorError,
  type Study,
  type StudyState,
  type TellInput,
  type Trial,
  type TrialDetail,
  type TrialState,
} from '@posterior/sdk';
import type { WorkerApi } from './worker-api.js';

interface FakeTrial {
  id: string;
  number: number;
  state: TrialState;
  params: Params;
  value: number | null;
  /** One per objective, study order; null until told COMPLETE with them. */
  values: number[] | null;
  /** One per constraint, study order; null until told or when the study has none. */
  constraints: number[] | null;
  error: string | null;
  workerId: string | null;
  metrics: MetricPointInput[];
  tells: number;
  /** Every tell's input, as sent. */
  tellInputs: TellInput[];
  retryOf: string | null;
  attributes?: Record<string, string | number | boolean>;
  /** What the last tell carried besides its result. */
  logTail?: string | null;
  environment?: TellInput['environment'];
}

export interface FakeOptions {
  maxTrials: number;
  /** shouldPrune when the objective metric at a step exceeds this. */
  pruneAbove?: number;
  heartbeatTimeoutS?: number;
  /** The study's objectives (default: one, `loss` minimized). */
  objectives?: { name: string; direction: 'MINIMIZE' | 'MAXIMIZE' }[];
  /** The study's constraints (default none). */
  constraints?: { name: string }[];
}

export class FakeApi implements WorkerApi {
  state: StudyState = 'RUNNING';
  readonly trials: FakeTrial[] = [];
  /** Calls that fail with a retryable NETWORK_ERROR before succeeding, by method name. */
  readonly outages = new Map<string, number>();
  /** Calls whose effect happens but whose answer is "lost" (network error after commit). */
  readonly lostAnswers = new Map<string, number>();
  heartbeats = 0;
  /** Calls of `study()`, answered or not. */
  studyCalls = 0;
  stopOnHeartbeat = false;
  /** Ids of the trials handed back with releaseTrial, in order. */
  readonly released: string[] = [];
  /** While set, every call fails with this (e.g. a NETWORK_ERROR: the API is gone). */
  down: PosteriorError | null = null;
  /** While set, checkpoint uploads fail with this (e.g. a 503 ARTIFACT_STORE_UNAVAILABLE). */
  uploadError: PosteriorError | null = null;
  uploads = 0;
  /** Calls by method name, answered or not. */
  readonly callCounts = new Map<string, number>();

  constructor(private readonly options: FakeOptions) {}

  private gate(method: string): void {
    this.callCounts.set(method, (this.callCounts.get(method) ?? 0) + 1);
    if (this.down) throw this.down;
    const left = this.outages.get(method) ?? 0;
    if (left > 0) {
      this.outages.set(method, left - 1);
      throw new PosteriorError('NETWORK_ERROR', `fake outage in ${method}`);
    }
  }

  private loseAnswer(method: string): void {
    const left = this.lostAnswers.get(method) ?? 0;
    if (left > 0) {
      this.lostAnswers.set(method, left - 1);
      throw new PosteriorError('NETWORK_ERROR', `fake lost answer in ${method}`);
    }
  }

  private find(id: string): FakeTrial {
    const trial = this.trials.find((t) => t.id === id);
    if (!trial) throw new PosteriorError('NOT_FOUND', `trial ${id} not found`);
    return trial;
  }

  /** The fields the runner reads; informational ones a new schema field adds are left out. */
  private view(t: FakeTrial): Trial {
    const trial = {
      id: t.id,
      studyId: 's',
      number: t.number,
      state: t.state,
      params: t.params,
      value: t.value,
      suggestion: null,
      workerId: t.workerId,
      createdAt: new Date(0),
      startedAt: null,
      heartbeatAt: null,
      finishedAt: null,
      error: t.error,
      retryOf: t.retryOf,
    } as Trial;
    return Object.assign(trial, { values: t.values, constraints: t.constraints });
  }

  count(state: TrialState): number {
    return this.trials.filter((t) => t.state === state).length;
  }

  async study(id: string): Promise<Study | null> {
    this.studyCalls++;
    this.gate('study');
    const best = this.trials
      .filter((t) => t.state === 'COMPLETE' && t.value !== null)
      .sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
    return {
      id,
      teamId: 't',
      name: 'fake',
      state: this.state,
      direction: this.objectives[0]?.direction ?? 'MINIMIZE',
      objective: this.objectives[0]?.name ?? 'loss',
      ...this.shapeFields(),
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
      sampler: { type: 'random' },
      pruner: { type: 'none' },
      maxTrials: this.options.maxTrials,
      parallelism: 1,
      heartbeatTimeoutS: this.options.heartbeatTimeoutS ?? 60,
      retryFailed: 0,
      warmStartFrom: [],
      description: null,
      createdAt: new Date(0),
      updatedAt: new Date(0),
      trialCounts: {
        total: this.trials.length,
        WAITING: this.count('WAITING'),
        RUNNING: this.count('RUNNING'),
        COMPLETE: this.count('COMPLETE'),
        PRUNED: this.count('PRUNED'),
        FAILED: this.count('FAILED'),
        retries: this.trials.filter((t) => t.retryOf !== null).length,
      },
      bestTrial: best ? this.view(best) : null,
      paretoFront: best ? [this.view(best)] : [],
      hypervolumeHistory: [],
    };
  }

  /** Trials claimed per ask key: an ask retried with its key gets the same trials (docs/DESIGN.md 6d). */
  private readonly asked = new Map<string, string>();

  async askTrials(
    _studyId: string,
    _count?: number,
    workerId?: string,
    options?: { requestKey?: string },
  ): Promise<readonly Trial[]> {
    this.gate('askTrials');
    const key = options?.requestKey;
    const earlier = key === undefined ? undefined : this.trials.find((t) => t.id === this.asked.get(key));
    if (earlier) return [this.view(earlier)];
    if (this.state !== 'RUNNING') return [];
    let trial = this.trials.find((t) => t.state === 'WAITING');
    if (!trial) {
      const counted = this.trials.filter((t) => t.state !== 'WAITING' && t.retryOf === null).length;
      if (counted >= this.options.maxTrials) return [];
      const number = this.trials.length;
      trial = {
        id: `t${number}`,
        number,
        state: 'WAITING',
        params: { x: number / 10 },
        value: null,
        values: null,
        constraints: null,
        error: null,
        workerId: null,
        metrics: [],
        tells: 0,
        tellInputs: [],
        retryOf: null,
      };
      this.trials.push(trial);
    }
    trial.state = 'RUNNING';
    trial.workerId = workerId ?? null;
    if (key !== undefined) this.asked.set(key, trial.id);
    return [this.view(trial)];
  }

  async heartbeat(trialId: string) {
    this.gate('heartbeat');
    this.heartbeats++;
    const trial = this.find(trialId);
    // Like the API: a paused study lets trials in flight finish; DONE/ARCHIVED or a lost trial stop them.
    const over = this.state === 'DONE' || this.state === 'ARCHIVED';
    return { shouldStop: this.stopOnHeartbeat || over || trial.state !== 'RUNNING' };
  }

  async reportMetrics(trialId: string, points: readonly MetricPointInput[]) {
    this.gate('reportMetrics');
    const trial = this.find(trialId);
    if (trial.state !== 'RUNNING') throw new PosteriorError('CONFLICT', `trial is ${trial.state}`);
    for (const p of points) {
      if (!trial.metrics.some((m) => m.name === p.name && m.step === p.step)) trial.metrics.push(p);
    }
    const loss = points.find((p) => p.name === 'loss');
    const shouldPrune =
      this.options.pruneAbove !== undefined && loss !== undefined && loss.value > this.options.pruneAbove;
    return {
      accepted: points.length,
      inserted: points.length,
      shouldPrune,
      pruneReason: shouldPrune ? `loss above ${this.options.pruneAbove}` : null,
    };
  }

  /** The study's objectives (one `loss` unless the options name others). */
  get objectives(): { name: string; direction: 'MINIMIZE' | 'MAXIMIZE' }[] {
    return this.options.objectives ?? [{ name: 'loss', direction: 'MINIMIZE' }];
  }

  get constraints(): { name: string }[] {
    return this.options.constraints ?? [];
  }

  /** As the API (MO-CONTRACT "Telling"): a COMPLETE tell must fit the study, or nothing is stored. */
  private checkTell(input: TellInput): { values: number[] | null; constraints: number[] | null } {
    const finiteList = (xs: readonly number[] | null | undefined, n: number, field: string) => {
      if (xs === undefined || xs === null) return null;
      if (xs.length !== n || !xs.every((x) => Number.isFinite(x)))
        throw new PosteriorError('BAD_USER_INPUT', `${field}: expected ${n} finite numbers`);
      return [...xs];
    };
    const m = this.objectives.length;
    const k = this.constraints.length;
    let values = finiteList(input.values, m, 'values');
    const constraints = finiteList(input.constraints, k, 'constraints');
    const value = input.value ?? null;
    if (values !== null && value !== null && value !== values[0])
      throw new PosteriorError('BAD_USER_INPUT', 'value: must equal values[0]');
    if (m > 1 && values === null && value !== null)
      throw new PosteriorError('BAD_USER_INPUT', 'values: a multi-objective study takes values, not value');
    if (input.state !== 'COMPLETE') return { values, constraints };
    if (values === null) {
      if (m > 1 || input.value === undefined || input.value === null)
        throw new PosteriorError('BAD_USER_INPUT', `values: expected ${m} finite numbers`);
      values = [input.value];
    }
    if (k > 0 && constraints === null)
      throw new PosteriorError('BAD_USER_INPUT', `constraints: expected ${k} finite numbers`);
    return { values, constraints };
  }

  /** The multi-objective fields of the study document (MO-CONTRACT "Study"). */
  private shapeFields() {
    return {
      objectives: this.objectives,
      constraints: this.constraints,
      isMultiObjective: this.objectives.length >= 2,
      referencePoint: null,
    };
  }

  async tellTrial(trialId: string, input: TellInput): Promise<Trial> {
    this.gate('tellTrial');
    const trial = this.find(trialId);
    if (isTerminal(trial.state)) throw new PosteriorError('CONFLICT', `trial is already ${trial.state}`);
    trial.tellInputs.push(input);
    const told = this.checkTell(input);
    trial.state = input.state;
    trial.values = told.values;
    trial.constraints = told.constraints;
    trial.value = told.values?.[0] ?? input.value ?? null;
    trial.error = input.error ?? null;
    trial.logTail = input.logTail ?? null;
    trial.environment = input.environment ?? null;
    trial.tells++;
    this.loseAnswer('tellTrial');
    return this.view(trial);
  }

  async trial(id: string): Promise<TrialDetail | null> {
    this.gate('trial');
    const t = this.trials.find((x) => x.id === id);
    if (!t) return null;
    return {
      ...this.view(t),
      metrics: t.metrics.map((m) => ({ ...m, trialId: t.id, time: new Date(0) })),
      artifacts: [],
      logTail: t.logTail ?? null,
      environment: null,
    };
  }

  /** As the API: FAILED 'interrupted' plus a WAITING copy (not counted against maxTrials); idempotent. */
  async releaseTrial(trialId: string): Promise<Trial> {
    this.gate('releaseTrial');
    const trial = this.find(trialId);
    const existing = this.trials.find((t) => t.retryOf === trialId);
    if (trial.state === 'FAILED' && existing) return this.view(existing);
    if (trial.state !== 'RUNNING') throw new PosteriorError('CONFLICT', `trial is ${trial.state}`);
    trial.state = 'FAILED';
    trial.error = 'interrupted';
    this.released.push(trialId);
    const number = this.trials.length;
    const copy: FakeTrial = {
      id: `t${number}`,
      number,
      state: 'WAITING',
      params: trial.params,
      value: null,
      values: null,
      constraints: null,
      error: null,
      workerId: null,
      metrics: [],
      tells: 0,
      tellInputs: [],
      retryOf: trialId,
    };
    this.trials.push(copy);
    this.loseAnswer('releaseTrial');
    return this.view(copy);
  }

  async uploadArtifact(trialId: string, file: { fileName: string; contentType: string; data: Uint8Array }) {
    this.gate('uploadArtifact');
    this.uploads++;
    if (this.uploadError) throw this.uploadError;
    this.find(trialId);
    return {
      id: `a-${trialId}`,
      trialId,
      name: file.fileName,
      contentType: file.contentType,
      sizeBytes: file.data.length,
      sha256: '',
      url: `/artifacts/a-${trialId}`,
      createdAt: new Date(0),
    };
  }

  async setTrialAttributes(
    trialId: string,
    attributes: Readonly<Record<string, string | number | boolean | null>>,
  ): Promise<Trial> {
    this.gate('setTrialAttributes');
    const trial = this.find(trialId);
    const next = { ...(trial.attributes ?? {}) };
    for (const [k, v] of Object.entries(attributes)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    trial.attributes = next;
    return this.view(trial);
  }

  /** Simulates the stale reaper failing a trial behind the worker's back. */
  reap(trialId: string): void {
    const trial = this.find(trialId);
    trial.state = 'FAILED';
    trial.error = 'stale';
  }
}
