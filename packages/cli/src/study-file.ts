import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { CreateStudyInput, Direction, PrunerConfig, SamplerConfig, SearchSpace } from '@posterior/sdk';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './errors.js';

const FIELDS = new Set([
  'teamId',
  'name',
  'direction',
  'objective',
  'searchSpace',
  'sampler',
  'pruner',
  'maxTrials',
  'parallelism',
  'heartbeatTimeoutS',
  'retryFailed',
  'warmStartFrom',
  'warmStartEnqueue',
]);

/**
 * Reads a study file (YAML or JSON, the fields of `createStudy`). Shape errors are caught here with
 * the file's name in the message; the search space itself is validated by the server, which names
 * the offending entry.
 */
export async function readStudyFile(path: string, teamOverride?: string): Promise<CreateStudyInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read study file ${path}`);
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${detail}`);
  }
  return parseStudyInput(raw, path, teamOverride);
}

export function parseStudyInput(raw: unknown, source: string, teamOverride?: string): CreateStudyInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${source}: expected a mapping of study fields`);
  }
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw new UsageError(`${source}: unknown field ${unknown.join(', ')}`);
  const fail = (field: string, expected: string): never => {
    throw new UsageError(`${source}: ${field} must be ${expected}, got ${JSON.stringify(o[field])}`);
  };
  const teamId = teamOverride ?? o.teamId;
  if (typeof teamId !== 'string' && typeof teamId !== 'number') {
    throw new UsageError(`${source}: teamId is required (or pass --team)`);
  }
  if (typeof o.name !== 'string' || o.name.trim() === '') fail('name', 'a non-empty string');
  const direction = typeof o.direction === 'string' ? o.direction.toUpperCase() : o.direction;
  if (direction !== 'MINIMIZE' && direction !== 'MAXIMIZE') fail('direction', 'minimize or maximize');
  if (typeof o.objective !== 'string' || o.objective === '') fail('objective', 'a metric name');
  if (!Array.isArray(o.searchSpace) || o.searchSpace.length === 0) fail('searchSpace', 'a non-empty list');
  if (!Number.isInteger(o.maxTrials) || (o.maxTrials as number) < 1) fail('maxTrials', 'a positive integer');
  const optionalInt = (field: string, min: number): number | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < min) fail(field, `an integer >= ${min}`);
    return v as number;
  };
  const config = (field: string): Record<string, unknown> | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return { type: v };
    if (
      typeof v !== 'object' ||
      v === null ||
      Array.isArray(v) ||
      typeof (v as { type?: unknown }).type !== 'string'
    ) {
      fail(field, 'a type name or a mapping with a type');
    }
    return v as Record<string, unknown>;
  };
  const sampler = config('sampler');
  const pruner = config('pruner');
  const parallelism = optionalInt('parallelism', 1);
  const heartbeatTimeoutS = optionalInt('heartbeatTimeoutS', 1);
  const retryFailed = optionalInt('retryFailed', 0);
  const warmStartEnqueue = optionalInt('warmStartEnqueue', 0);
  const warmStartFrom = o.warmStartFrom;
  if (
    warmStartFrom !== undefined &&
    (!Array.isArray(warmStartFrom) || !warmStartFrom.every((id) => typeof id === 'string' && id !== ''))
  ) {
    fail('warmStartFrom', 'a list of study ids');
  }
  return {
    teamId: String(teamId),
    name: String(o.name).trim(),
    direction: direction as Direction,
    objective: o.objective as string,
    searchSpace: o.searchSpace as SearchSpace,
    maxTrials: o.maxTrials as number,
    ...(sampler ? { sampler: sampler as SamplerConfig } : {}),
    ...(pruner ? { pruner: pruner as PrunerConfig } : {}),
    ...(parallelism === undefined ? {} : { parallelism }),
    ...(heartbeatTimeoutS === undefined ? {} : { heartbeatTimeoutS }),
    ...(retryFailed === undefined ? {} : { retryFailed }),
    ...(warmStartFrom === undefined ? {} : { warmStartFrom: warmStartFrom as string[] }),
    ...(warmStartEnqueue === undefined ? {} : { warmStartEnqueue }),
  };
}
