import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';

/** Another live process (possibly this one) holds the lock: the message is the one line to print. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`another Posterior instance is using ${dir} (pid ${pid})`);
  }
}

interface LockContent {
  pid: number;
  /** Kernel start time of `pid`, so a recycled pid after a crash is not mistaken for the holder. */
  startTime?: string;
  token: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours (idempotent). */
  release(): Promise<void>;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderIsAlive(content: LockContent): boolean {
  if (!isAlive(content.pid)) return false;
  if (content.startTime === undefined) return true;
  const now = processStartTime(content.pid);
  return now === undefined || now === content.startTime;
}

async function readLock(path: string): Promise<LockContent | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'pid' in parsed && typeof parsed.pid === 'number') {
      return parsed as LockContent;
    }
  } catch {
    // Unreadable or half-written: treated as stale below.
  }
  return undefined;
}

/**
 * Takes `<dir>/<name>` as an exclusive pid lock. A lock whose holder has exited (crash, SIGKILL) is
 * stale and taken over; a live holder, including this same process, raises DataDirInUseError.
 */
export async function acquireDataDirLock(dir: string, name: string): Promise<DataDirLock> {
  const path = `${dir}/${name}`;
  const content: LockContent = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    token: randomUUID(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(content)}\n`);
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          const current = await readLock(path);
          if (current?.token === content.token) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder !== undefined && holderIsAlive(holder)) throw new DataDirInUseError(dir, holder.pid);
    // A writer may be between creating and filling the file: only a lock that stays unreadable is stale.
    if (holder === undefined && attempt === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`could not take the lock ${path}`);
}
