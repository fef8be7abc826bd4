import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A short, stable key for a JSON-serializable value (object keys sorted). */
export function cacheKey(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface CachedDirOptions {
  /** Writes the entry's files into the given (empty, private) directory. */
  readonly build: (dir: string) => Promise<void>;
  readonly signal?: AbortSignal;
  /** How long a lock may stand before it is considered abandoned (its holder crashed elsewhere). */
  readonly staleLockMs?: number;
  readonly pollMs?: number;
}

/**
 * Returns `dir`, building it first if it does not exist. The entry is written into a private temp
 * directory and renamed into place, so readers never see a half-written entry; a lock file makes
 * concurrent workers wait for the first builder instead of repeating the work (if a builder dies,
 * its lock is taken over). `built` says whether this call did the work, `waited` whether it waited
 * for another builder.
 */
export async function cachedDir(
  dir: string,
  options: CachedDirOptions,
): Promise<{ built: boolean; waited: boolean }> {
  const lock = `${dir}.lock`;
  const staleMs = options.staleLockMs ?? 10 * 60_000;
  const pollMs = options.pollMs ?? 200;
  await mkdir(dirname(dir), { recursive: true });
  let waited = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await exists(dir)) return { built: false, waited };
    if (await tryLock(lock)) {
      try {
        // Another worker may have finished between our check and taking the lock.
        if (await exists(dir)) return { built: false, waited };
        await buildAtomically(dir, options.build);
        return { built: true, waited };
      } finally {
        await rm(lock, { force: true });
      }
    }
    if (await isStale(lock, staleMs)) {
      await rm(lock, { force: true });
      continue;
    }
    waited = true;
    await sleep(pollMs);
  }
}

async function buildAtomically(dir: string, build: (dir: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  try {
    await build(tmp);
    try {
      await rename(tmp, dir);
    } catch (error) {
      // Rename-wins: a builder that ignored our lock (e.g. after a stale take-over) got there first.
      if (!(await exists(dir))) throw error;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

interface LockInfo {
  readonly pid: number;
  readonly host: string;
}

async function tryLock(lock: string): Promise<boolean> {
  try {
    const handle = await open(lock, 'wx');
    try {
      const info: LockInfo = { pid: process.pid, host: hostname() };
      await handle.writeFile(JSON.stringify(info));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return false;
    throw error;
  }
}

/** A lock is stale when its process is gone (same host) or it is older than `staleMs`. */
async function isStale(lock: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const holder = parseLock(text);
    if (holder && holder.host === hostname() && !isAlive(holder.pid)) return true;
    return false;
  } catch {
    // Gone already (released), or caught mid-write: retry shortly either way.
    return false;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const pid = 'pid' in value ? value.pid : undefined;
    const host = 'host' in value ? value.host : undefined;
    return typeof pid === 'number' && typeof host === 'string' ? { pid, host } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
