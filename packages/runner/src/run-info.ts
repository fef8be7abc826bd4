import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { TrialEnvironmentInput } from '@posterior/sdk';

/** A failed trial's log tail is at most this many lines and characters (docs/DESIGN.md 5e). */
export const LOG_TAIL_LINES = 64;
export const LOG_TAIL_CHARS = 8_192;

/**
 * The last lines of a trial's output: a ring of at most LOG_TAIL_LINES lines, cut to LOG_TAIL_CHARS
 * from the front when read. Long single lines are kept to their last LOG_TAIL_CHARS characters.
 */
export class LogTail {
  private readonly lines: string[] = [];
  private partial = '';

  write(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = (parts.pop() ?? '').slice(-LOG_TAIL_CHARS);
    for (const line of parts) {
      this.lines.push(line.slice(-LOG_TAIL_CHARS));
      if (this.lines.length > LOG_TAIL_LINES) this.lines.shift();
    }
  }

  /** The tail as text (null when nothing was written), with `extra` (a stack) appended. */
  text(extra?: string): string | null {
    const all = [...this.lines, ...(this.partial ? [this.partial] : [])];
    if (extra) all.push(...extra.replace(/\s+$/, '').split('\n'));
    const kept = all.slice(-LOG_TAIL_LINES).join('\n').replace(/\s+$/, '');
    const cut = kept.length > LOG_TAIL_CHARS ? kept.slice(-LOG_TAIL_CHARS) : kept;
    return cut.length === 0 ? null : cut;
  }
}

const current = new AsyncLocalStorage<LogTail>();
let patched = false;

/**
 * Tees process.stdout and process.stderr into the log tail of the trial whose objective is writing
 * (found by async context, so two workers in one process keep their trials apart). The streams still
 * get every byte; writes outside a trial are not kept.
 */
function patchStreams(): void {
  if (patched) return;
  patched = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      const tail = current.getStore();
      if (tail !== undefined) {
        try {
          tail.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        } catch {
          // the tail is a by-product: never fail a write over it
        }
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

/** Runs `fn` (a trial's objective) with its output teed into `tail`. */
export function withLogTail<T>(tail: LogTail, fn: () => T): T {
  patchStreams();
  return current.run(tail, fn);
}

/** The stack of an error (or its message), for the tail of a FAILED trial. */
export function stackOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return error === undefined ? undefined : String(error);
}

type BackendName = 'tfjs-node' | 'wasm' | 'cpu';
let backend: { name: BackendName; tfjs: string | null } | null = null;

/** Called when the process picks its TensorFlow.js backend (tfjs/index.ts). */
export function noteTfjsBackend(name: 'tensorflow' | 'wasm' | 'cpu', tfjsVersion: string | null): void {
  backend = { name: name === 'tensorflow' ? 'tfjs-node' : name, tfjs: tfjsVersion };
}

let ownVersions: Array<{ name: string; version: string }> | undefined;
function readVersion(url: URL): string | null {
  try {
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/**
 * What this worker's trials run on: backend (the TensorFlow.js backend when one was loaded, else
 * cpu), host, platform, Node and the versions of Posterior's packages and tfjs. Bounded (the API
 * keeps 200 characters a text, 20 packages).
 */
export function workerEnvironment(workerId: string): TrialEnvironmentInput {
  ownVersions ??= [
    { name: '@posterior/runner', version: readVersion(new URL('../package.json', import.meta.url)) },
  ].flatMap((p) => (p.version === null ? [] : [{ name: p.name, version: p.version }]));
  const packages = [...ownVersions];
  if (backend?.tfjs) packages.push({ name: '@tensorflow/tfjs', version: backend.tfjs });
  return {
    backend: backend?.name ?? 'cpu',
    host: hostname(),
    platform: `${process.platform}-${process.arch}`,
    nodeVersion: process.versions.node,
    workerId,
    packages,
  };
}
