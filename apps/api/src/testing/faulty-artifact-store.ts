import type { ReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { type ArtifactStore, LocalArtifactStore } from '../artifacts/artifact-store.js';

/** The error Node's fs raises, path and all (the API must not pass the path on). */
export function fsError(code: string, message: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, open '${path}'`), { code, syscall: 'open', path });
}

/**
 * The disk store, with writes that fail as a read-only or full volume fails them while `fault` is
 * set (`EROFS`, `ENOSPC`, ...). Reads keep working. Root ignores a chmod'ed directory, so tests
 * inject the fault here rather than through permissions.
 */
export class FaultyArtifactStore implements ArtifactStore {
  fault: 'EROFS' | 'ENOSPC' | null = 'EROFS';
  writes = 0;
  private readonly disk: LocalArtifactStore;

  constructor(private readonly dataDir: string) {
    this.disk = new LocalArtifactStore(dataDir);
  }

  private fail(): void {
    const path = join(this.dataDir, 'artifacts', 'tmp', 'x.part');
    if (this.fault === 'EROFS') throw fsError('EROFS', 'read-only file system', path);
    if (this.fault === 'ENOSPC') throw fsError('ENOSPC', 'no space left on device', path);
  }

  async write(id: string, source: Readable, meter: Transform): Promise<void> {
    this.writes++;
    this.fail();
    await this.disk.write(id, source, meter);
  }

  open(id: string): Promise<ReadStream> {
    return this.disk.open(id);
  }

  remove(id: string): Promise<void> {
    return this.disk.remove(id);
  }

  async probe(): Promise<void> {
    // A full disk still takes the probe's few bytes: only a read-only volume fails it.
    if (this.fault === 'EROFS') this.fail();
    await this.disk.probe();
  }
}
