import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';
import { convergenceRows, convergenceSpec } from '../plot/convergence.js';
import { paretoRows, paretoSpec } from '../plot/pareto.js';

interface PlotOptions {
  kind: string;
  output: string;
  api?: string;
  token?: string;
  json?: boolean;
}

const KINDS = ['convergence', 'pareto'];

export function register(program: Command): void {
  withConnection(
    program
      .command('plot')
      .description(
        'plot a study as PNG or SVG: --kind convergence (value per trial and best so far) or pareto ' +
          '(a multi-objective study: its trials and Pareto front; 3+ objectives as a pairwise matrix)',
      )
      .argument('<study>', 'study id')
      .option('--kind <kind>', `plot kind (${KINDS.join(', ')})`, 'convergence')
      .requiredOption('-o, --output <file>', 'output file ending in .png or .svg')
      .option('--json', 'print a summary of what was plotted as JSON'),
  ).action(async (studyId: string, options: PlotOptions) => {
    if (!KINDS.includes(options.kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
    const format = extname(options.output).toLowerCase();
    if (format !== '.png' && format !== '.svg') throw new UsageError('--output must end in .png or .svg');
    const connection = resolveConnection(options);
    const client = connect(connection);
    const study = await client.study(studyId);
    if (!study) throw new Error(`study ${studyId} not found`);
    if (options.kind === 'pareto' && !study.isMultiObjective)
      throw new UsageError(`--kind pareto needs a study with two or more objectives (${study.name} has one)`);
    // vega and resvg load only for this verb: they would slow every other command's start-up.
    const { renderSvg, svgToPng } = await import('../plot/render.js');
    const write = async (spec: Record<string, unknown>) => {
      const svg = await renderSvg(spec);
      if (format === '.svg') await writeFile(options.output, svg);
      else await writeFile(options.output, svgToPng(svg));
    };
    if (options.kind === 'pareto') {
      const front = new Set(study.paretoFront.map((t) => t.id));
      const rows = paretoRows(await client.allTrials(studyId), study.objectives, front);
      await write(paretoSpec({ title: study.name, objectives: study.objectives, rows }));
      const onFront = rows.filter((r) => r.class === 'Pareto front').length;
      const infeasible = rows.filter((r) => r.class === 'infeasible').length;
      if (options.json)
        printJson({
          file: options.output,
          kind: options.kind,
          points: rows.length,
          front: onFront,
          infeasible,
        });
      else
        process.stderr.write(
          `wrote ${options.output} (${rows.length} points, ${onFront} on the front, ${infeasible} infeasible)\n`,
        );
      return;
    }
    const rows = convergenceRows(await client.studyHistory(studyId), study.direction);
    await write(
      convergenceSpec({
        title: study.name,
        objective: study.objective,
        direction: study.direction,
        rows,
      }),
    );
    const plotted = rows.filter((r) => r.value !== null).length;
    const best = rows.at(-1)?.best ?? null;
    if (options.json)
      printJson({ file: options.output, kind: options.kind, trials: rows.length, points: plotted, best });
    else process.stderr.write(`wrote ${options.output} (${plotted} points, best ${best ?? '-'})\n`);
  });
}
