import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Objective } from './trial-handle.js';

/** Where a worker's objective comes from; plain data so it can cross into forked processes. */
export type ObjectiveSpec =
  | { readonly kind: 'task'; readonly name: string }
  | { readonly kind: 'module'; readonly path: string };

export class ObjectiveLoadError extends Error {
  override name = 'ObjectiveLoadError';
}

export const BUILT_IN_TASKS: Readonly<
  Record<string, { readonly module: string; readonly exportName: string }>
> = {
  'transfer-learning': {
    module: './tasks/transfer-learning/index.js',
    exportName: 'transferLearningObjective',
  },
};

function isObjective(value: unknown): value is Objective {
  return typeof value === 'function';
}

/** Loads a built-in task or a user module exporting `default` (or `objective`) as an async function. */
export async function loadObjective(spec: ObjectiveSpec): Promise<Objective> {
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
    throw new ObjectiveLoadError(`${spec.path} must export an async function as default (DESIGN 6b)`);
  }
  return fn;
}
