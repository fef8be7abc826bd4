import { fileURLToPath } from 'node:url';
import type { Logger } from '../common/logger.js';
import {
  type ImportanceResult,
  type ImportanceTask,
  type RecommendResult,
  type RecommendTask,
  runTask,
  type SlicePoint,
  type SliceTask,
  type SuggestionResult,
  type SuggestTask,
  type Task,
} from './compute.js';
import { WorkerPool } from './pool.js';

/**
 * Samplers whose suggestion costs microseconds run on the event loop: a thread hop would cost
 * more than the work. Everything else (the GP above all) runs in the worker pool.
 */
const INLINE_SAMPLERS = new Set(['random', 'qmc']);

/** Samplers that ignore history: the API does not load completed trials to ask them. */
export const HISTORY_FREE_SAMPLERS = new Set(['random']);

export function samplerTypeOf(sampler: Record<string, unknown>): string {
  return typeof sampler.type === 'string' ? sampler.type : 'gp';
}

export class Suggester {
  private readonly pool: WorkerPool;

  constructor(
    private readonly logger: Logger,
    poolSize?: number,
  ) {
    const script = new URL('./suggest-worker.js', import.meta.url);
    this.pool = new WorkerPool(script, poolSize);
    this.logger.debug({ script: fileURLToPath(script) }, 'suggestion pool started');
  }

  /**
   * `studyId` keeps a study's GP work on one thread, where its fitted model is cached; `teamId`
   * is whose turn it is in the pool (see WorkerPool.run: round the teams).
   */
  suggest(
    task: Omit<SuggestTask, 'kind'>,
    samplerType: string,
    studyId?: string,
    teamId?: string,
  ): Promise<SuggestionResult[]> {
    return this.run<SuggestionResult[]>(
      { kind: 'suggest', ...task },
      INLINE_SAMPLERS.has(samplerType),
      studyId,
      teamId,
    );
  }

  importance(
    task: Omit<ImportanceTask, 'kind'>,
    studyId?: string,
    teamId?: string,
  ): Promise<ImportanceResult[] | null> {
    return this.run<ImportanceResult[] | null>({ kind: 'importance', ...task }, false, studyId, teamId);
  }

  recommend(
    task: Omit<RecommendTask, 'kind'>,
    studyId?: string,
    teamId?: string,
  ): Promise<RecommendResult | null> {
    return this.run<RecommendResult | null>({ kind: 'recommend', ...task }, false, studyId, teamId);
  }

  slice(task: Omit<SliceTask, 'kind'>, studyId?: string, teamId?: string): Promise<SlicePoint[] | null> {
    return this.run<SlicePoint[] | null>({ kind: 'slice', ...task }, false, studyId, teamId);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async run<T>(task: Task, inline: boolean, studyId?: string, teamId?: string): Promise<T> {
    if (inline) return runTask(task) as T;
    return this.pool.run<T>(task, studyId, teamId ?? studyId);
  }
}
