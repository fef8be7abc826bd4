import { parentPort } from 'node:worker_threads';
import { runTask, type Task } from './compute.js';

// Entry of each pool thread: one task in, one result (or the error's class, message and path) out.
parentPort?.on('message', (task: Task) => {
  try {
    parentPort?.postMessage({ ok: true, result: runTask(task) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const path = (e as Error & { path?: unknown }).path;
    parentPort?.postMessage({
      ok: false,
      error: e.message,
      name: e.name,
      path: typeof path === 'string' ? path : undefined,
    });
  }
});
