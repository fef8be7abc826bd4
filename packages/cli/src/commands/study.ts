import type { Study, StudyState } from '@posterior/sdk';
import type { Command } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { asUsageError, printJson } from '../output.js';
import { readStudyFile } from '../study-file.js';

interface ConnectionFlags {
  api?: string;
  token?: string;
}

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
    objectives: study.objectives,
    constraints: study.constraints,
    referencePoint: study.referencePoint,
    description: study.description,
    maxTrials: study.maxTrials,
    parallelism: study.parallelism,
    sampler: study.sampler,
    pruner: study.pruner,
    searchSpace: study.searchSpace,
    trialCounts: study.trialCounts,
    bestValue: study.bestTrial?.value ?? null,
    paretoFront: study.isMultiObjective ? study.paretoFront.map((t) => t.number) : null,
    createdAt: study.createdAt.toISOString(),
  };
}

/** "minimize val_loss, minimize trainable_params; constraints latency_ms". */
function goals(study: Study): string {
  const objectives = study.objectives.map((o) => `${o.direction.toLowerCase()} ${o.name}`).join(', ');
  return study.constraints.length === 0
    ? objectives
    : `${objectives}; constraints ${study.constraints.map((c) => c.name).join(', ')} <= 0`;
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
    process.stderr.write(`created study ${created.name} (${created.maxTrials} trials, ${goals(created)})\n`);
  });

  withConnection(
    study
      .command('show')
      .description('a study: state, trial counts, best value')
      .argument('<id>', 'study id')
      .option('--json', 'print the study as JSON'),
  ).action(async (id: string, options: ConnectionFlags & { json?: boolean }) => {
    const found = await connect(resolveConnection(options)).study(id);
    if (!found) throw new Error(`study ${id} not found`);
    if (options.json) {
      printJson(studyJson(found));
      return;
    }
    const c = found.trialCounts;
    const best = found.bestTrial;
    process.stdout.write(
      [
        `${found.name} (${found.id}): ${found.state}`,
        `  ${goals(found)}, sampler ${found.sampler.type}, pruner ${found.pruner.type}`,
        `  trials: ${c.COMPLETE} complete, ${c.PRUNED} pruned, ${c.FAILED} failed, ${c.RUNNING} running, ${c.WAITING} waiting (budget ${found.maxTrials})`,
        found.isMultiObjective
          ? `  Pareto front: ${found.paretoFront.map((t) => `#${t.number}`).join(' ') || '-'}`
          : `  best: ${best ? `trial #${best.number} ${found.objective}=${best.value} ${JSON.stringify(best.params)}` : '-'}`,
        '',
      ].join('\n'),
    );
  });

  const transitions: [string, StudyState, string][] = [
    ['pause', 'PAUSED', 'stop handing out trials (trials in flight finish)'],
    ['resume', 'RUNNING', 'hand out trials again'],
    ['archive', 'ARCHIVED', 'archive the study'],
  ];
  for (const [verb, state, description] of transitions) {
    withConnection(
      study
        .command(verb)
        .description(description)
        .argument('<id>', 'study id')
        .option('--json', 'print the study as JSON'),
    ).action(async (id: string, options: ConnectionFlags & { json?: boolean }) => {
      const updated = await connect(resolveConnection(options))
        .setStudyState(id, state)
        .catch((error: unknown) => {
          throw asUsageError(error);
        });
      if (options.json) printJson(studyJson(updated));
      else process.stderr.write(`study ${updated.name} is ${updated.state}\n`);
    });
  }
}
