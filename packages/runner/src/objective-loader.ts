import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Objective } from './trial-handle.js';

/** Where a worker's objective comes from; plain data so it can cross into forked processes. */
export type ObjectiveSpec =
  | {
      readonly kind: 'task';
      readonly name: string;
      /** POSTERIOR_DATA_DIR: tasks keep their caches under `<dataDir>/cache`. */
      readonly dataDir?: string;
    }
  | { readonly kind: 'module'; readonly path: string };

export interface LoadOptions {
  /** Where a built-in task's progress lines go (the worker's event stream); stderr otherwise. */
  readonly log?: (line: string) => void;
}

export class ObjectiveLoadError extends Error {
  override name = 'ObjectiveLoadError';
}

interface BuiltInTask {
  readonly module: string;
  /** The ready-made objective with default settings. */
  readonly exportName: string;
  /** A factory taking `{ cacheDir, log }`, used when the worker knows its data directory. */
  readonly factoryName?: string;
}

export const BUILT_IN_TASKS: Readonly<Record<string, BuiltInTask>> = {
  'transfer-learning': {
    module: './tasks/transfer-learning/index.js',
    exportName: 'transferLearningObjective',
    factoryName: 'createTransferLearningObjective',
  },
};

/** Why a built-in task cannot run here, without loading it (TensorFlow.js takes seconds to load). */
export function taskProblem(name: string): string | undefined {
  const task = BUILT_IN_TASKS[name];
  if (!task) return `unknown task ${name} (known: ${Object.keys(BUILT_IN_TASKS).join(', ')})`;
  const url = new URL(task.module, import.meta.url);
  return existsSync(url) ? undefined : `the ${name} task is not built yet (${url.pathname} is missing)`;
}

function isObjective(value: unknown): value is Objective {
  return typeof value === 'function';
}

/** Loads a built-in task or a user module exporting `default` (or `objective`) as an async function. */
export async function loadObjective(spec: ObjectiveSpec, options: LoadOptions = {}): Promise<Objective> {
  if (spec.kind === 'task') {
    const task = BUILT_IN_TASKS[spec.name];
    if (!task) {
      throw new ObjectiveLoadError(
        `unknown task ${spec.name} (known: ${Object.keys(BUILT_IN_TASKS).join(', ')})`,
      );
    }
    const url = new URL(task.module, import.meta.url);
    if (!existsSync(url)) {
      throw new ObjectiveLoadError(`the ${spec.name} task is not built yet (${url.pathname} is missing)`);
    }
    const mod = (await import(url.href)) as Record<string, unknown>;
    const factory = task.factoryName === undefined ? undefined : mod[task.factoryName];
    if (spec.dataDir !== undefined && typeof factory === 'function') {
      const made: unknown = factory({
        cacheDir: join(spec.dataDir, 'cache'),
        ...(options.log ? { log: options.log } : {}),
      });
      if (!isObjective(made)) throw new ObjectiveLoadError(`${task.factoryName} did not return a function`);
      return made;
    }
    const fn = mod[task.exportName];
    if (!isObjective(fn)) throw new ObjectiveLoadError(`${task.module} does not export ${task.exportName}`);
    return fn;
  }
  const path = resolve(spec.path);
  if (!existsSync(path)) throw new ObjectiveLoadError(`objective module not found: ${spec.path}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ObjectiveLoadError(
      `cannot load ${spec.path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const fn = mod.default ?? mod.objective;
  if (!isObjective(fn)) {
    throw new ObjectiveLoadError(
      `${spec.path} must export an async function as default (docs/DESIGN.md section 6b)`,
    );
  }
  return fn;
}
