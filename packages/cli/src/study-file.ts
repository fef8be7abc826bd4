import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseStudyFile } from '@posterior/core';
import { parseSearchSpace, SearchSpaceError } from '@posterior/optimizer';
import type { CreateStudyInput } from '@posterior/sdk';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './errors.js';

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

/**
 * Checks a parsed study file against the one study-input schema (@posterior/core, which the API and
 * the dashboard use too) and words its first problem for the command line.
 */
export function parseStudyInput(raw: unknown, source: string, teamOverride?: string): CreateStudyInput {
  const withTeam =
    teamOverride !== undefined && typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? { ...raw, teamId: teamOverride }
      : raw;
  const parsed = parseStudyFile(withTeam);
  if (parsed.ok) {
    try {
      // The server's own parser: a bad entry (e.g. a `when` naming an unknown parent) fails here, named.
      parseSearchSpace(parsed.value.searchSpace);
    } catch (error) {
      if (error instanceof SearchSpaceError) throw new UsageError(`${source}: ${error.message}`);
      throw error;
    }
    return parsed.value as CreateStudyInput;
  }
  const problem = parsed.problem;
  if (problem.kind === 'notAMapping') throw new UsageError(`${source}: expected a mapping of study fields`);
  if (problem.kind === 'unknownFields')
    throw new UsageError(`${source}: unknown field ${problem.fields.join(', ')}`);
  const given = valueAt(withTeam, problem.path);
  if (problem.field === 'teamId' && given === undefined)
    throw new UsageError(`${source}: teamId is required (or pass --team)`);
  if ((problem.field === 'direction' || problem.field === 'objective') && given === undefined)
    throw new UsageError(
      `${source}: ${problem.field} is required without objectives (${problem.expected}), or give objectives: [{name, direction}]`,
    );
  throw new UsageError(
    `${source}: ${problem.path} must be ${problem.expected}, got ${JSON.stringify(given)}`,
  );
}

/** The value at a problem's path (`objectives[1].direction`) in the file as given, for the message. */
function valueAt(raw: unknown, path: string): unknown {
  let at: unknown = raw;
  for (const [, key, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[index ?? key ?? ''];
  }
  return at;
}
