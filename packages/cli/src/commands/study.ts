import type { Study } from '@posterior/sdk';
import type { Command } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { asUsageError, printJson } from '../output.js';
import { readStudyFile } from '../study-file.js';

interface CreateOptions {
  file: string;
  team?: string;
  api?: string;
  token?: string;
  json?: boolean;
}

export function studyJson(study: Study) {
  return {
    id: study.id,
    teamId: study.teamId,
    name: study.name,
    state: study.state,
    direction: study.direction,
    objective: study.objective,
    maxTrials: study.maxTrials,
    parallelism: study.parallelism,
    sampler: study.sampler,
    pruner: study.pruner,
    searchSpace: study.searchSpace,
    trialCounts: study.trialCounts,
    bestValue: study.bestTrial?.value ?? null,
    createdAt: study.createdAt.toISOString(),
  };
}

export function register(program: Command): void {
  const study = program.command('study').description('manage studies');
  withConnection(
    study
      .command('create')
      .description('create a study from a YAML or JSON file (the fields of createStudy)')
      .requiredOption('-f, --file <path>', 'study file (.yaml, .yml or .json)')
      .option('--team <id>', 'team id (overrides teamId in the file)')
      .option('--json', 'print the created study as JSON'),
  ).action(async (options: CreateOptions) => {
    const connection = resolveConnection(options);
    const input = await readStudyFile(options.file, options.team);
    const client = connect(connection);
    const created = await client.createStudy(input).catch((error: unknown) => {
      throw asUsageError(error);
    });
    if (options.json) printJson(studyJson(created));
    else process.stdout.write(`${created.id}\n`);
    process.stderr.write(
      `created study ${created.name} (${created.maxTrials} trials, ${created.direction.toLowerCase()} ${created.objective})\n`,
    );
  });
}
