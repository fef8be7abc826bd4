import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The API's layering, checked from its sources with madge: no file imports itself back, and no
 * feature folder imports another that imports it back (trial, study, suggest, pubsub, graphql,
 * ...). A folder cycle is how "each feature owns its queries" erodes: the lower folder starts
 * reaching into the upper one, and soon nothing can be read or moved alone.
 *
 * Entry points are left out of the folder graph (they take part in the file check): `server/`, the
 * composition root (it constructs every service, and every resolver imports its `Context` type),
 * `index.ts`, `scripts/`, and `db/cli-data-source.ts` (the TypeORM CLI's data source, which reads
 * the server's config).
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ENTRY_FOLDERS = new Set(['server', '.', 'scripts']);
const ENTRY_FILES = new Set(['db/cli-data-source.ts']);
const isEntry = (file: string): boolean => ENTRY_FILES.has(file) || ENTRY_FOLDERS.has(folderOf(file));

interface MadgeResult {
  obj(): Record<string, string[]>;
  circular(): string[][];
}
type Madge = (path: string, config: Record<string, unknown>) => Promise<MadgeResult>;

async function graph(): Promise<MadgeResult> {
  // madge ships no types: imported by a computed name, typed by the interface above.
  const name = 'madge';
  const { default: madge } = (await import(name)) as { default: Madge };
  return madge(SRC, { fileExtensions: ['ts'], excludeRegExp: [/\.test\.ts$/, /\.d\.ts$/] });
}

function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '.' : file.slice(0, slash);
}

/** Strongly connected folders (Tarjan), each with the file imports that tie it together. */
function folderCycles(tree: Record<string, string[]>): string[] {
  const edges = new Map<string, Map<string, string[]>>();
  for (const [file, deps] of Object.entries(tree)) {
    if (isEntry(file)) continue;
    const from = folderOf(file);
    for (const dep of deps) {
      const to = folderOf(dep);
      if (from === to || isEntry(dep)) continue;
      const out = edges.get(from) ?? new Map<string, string[]>();
      out.set(to, [...(out.get(to) ?? []), `${file} -> ${dep}`]);
      edges.set(from, out);
    }
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      members.push(w);
      if (w === v) break;
    }
    if (members.length < 2) return;
    const inside = new Set(members);
    const why = members.flatMap((m) =>
      [...(edges.get(m) ?? [])].filter(([to]) => inside.has(to)).flatMap(([, files]) => files),
    );
    found.push(`${members.sort().join(' <-> ')}:\n    ${why.join('\n    ')}`);
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import graph of apps/api/src', () => {
  it('has no file cycles and no folder cycles', async () => {
    const result = await graph();
    const tree = result.obj();
    // The walk found the sources (a wrong path would make both checks pass vacuously).
    assert.ok(
      Object.keys(tree).some((file) => file.startsWith('trial/')),
      'madge found no trial/ files',
    );
    assert.deepEqual(result.circular(), [], 'file import cycles');
    assert.deepEqual(folderCycles(tree), [], 'folder import cycles');
  });
});
