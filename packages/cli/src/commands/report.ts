import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { printJson } from '../output.js';
import { studyJson } from './study.js';

interface ReportOptions {
  output?: string;
  api?: string;
  token?: string;
  json?: boolean;
}

export function register(program: Command): void {
  withConnection(
    program
      .command('report')
      .description(
        'text report of a study: search space, every trial, the best and the recommended trial ' +
          '(multi-objective: the Pareto front and its hypervolume)',
      )
      .argument('<study>', 'study id')
      .option('-o, --output <file>', 'write the report here (e.g. bayes_opt.txt) instead of stdout')
      .option('--json', 'print the study and its trials as JSON instead'),
  ).action(async (studyId: string, options: ReportOptions) => {
    const client = connect(resolveConnection(options));
    if (options.json) {
      const study = await client.study(studyId);
      if (!study) throw new Error(`study ${studyId} not found`);
      const trials = await client.allTrials(studyId);
      const recommended = await client.studyRecommendedTrial(studyId);
      const body = {
        study: studyJson(study),
        trials: trials.map((t) => ({
          id: t.id,
          number: t.number,
          state: t.state,
          value: t.value,
          values: t.values,
          constraints: t.constraints,
          feasible: t.feasible,
          params: t.params,
          error: t.error,
          note: t.note ?? null,
          tags: t.tags,
        })),
        // Multi-objective studies: the feasible non-dominated trials (the API's, from the optimizer).
        front: study.isMultiObjective
          ? study.paretoFront.map((t) => ({
              number: t.number,
              values: t.values,
              constraints: t.constraints,
              params: t.params,
            }))
          : null,
        hypervolume: study.hypervolumeHistory.at(-1)?.hypervolume ?? null,
        best: study.bestTrial
          ? { number: study.bestTrial.number, value: study.bestTrial.value, params: study.bestTrial.params }
          : null,
        // The model's pick: with a noisy objective the best observed value is biased towards luck.
        recommended: recommended
          ? {
              number: recommended.trial.number,
              value: recommended.trial.value,
              params: recommended.trial.params,
              mean: recommended.mean,
              std: recommended.std,
              noiseStd: recommended.noiseStd,
              source: recommended.source,
            }
          : null,
      };
      if (options.output) await writeFile(options.output, `${JSON.stringify(body, null, 2)}\n`);
      else printJson(body);
      return;
    }
    // The server formats the report (the same formatter backs Study.report and the dashboard).
    const text = await client.studyReport(studyId);
    if (options.output) {
      await writeFile(options.output, text);
      process.stderr.write(`wrote ${options.output}\n`);
    } else process.stdout.write(text);
  });
}
