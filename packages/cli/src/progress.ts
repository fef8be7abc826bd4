import type { StudyProgress, WorkerEvent } from '@posterior/runner';
import cliProgress from 'cli-progress';

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(3)
    : value.toPrecision(4);
}

export interface ProgressOptions {
  /** Bars when stderr is a terminal; plain lines otherwise (logs, CI). */
  readonly tty: boolean;
  readonly quiet?: boolean;
  /** Where bars and lines go; stderr by default (stdout is kept for `--json`). */
  readonly stream?: NodeJS.WriteStream;
}

/** Renders worker events: a study bar (trials done of total, best so far) and one line per slot. */
export class WorkerProgress {
  private readonly bars: cliProgress.MultiBar | undefined;
  private study: cliProgress.SingleBar | undefined;
  private readonly slots = new Map<number, cliProgress.SingleBar>();
  private objective = 'value';
  /** Multi-objective studies: every objective's name (the tally shows the front, not a best). */
  private objectives: readonly string[] = [];
  private studyName = '';

  private readonly stream: NodeJS.WriteStream;
  private stopped = false;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    if (options.tty && !options.quiet) {
      this.bars = new cliProgress.MultiBar(
        { stream: this.stream, hideCursor: true, clearOnComplete: false, autopadding: true, fps: 5 },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  private line(text: string): void {
    if (this.options.quiet) return;
    if (this.bars) this.bars.log(`${text}\n`);
    else this.stream.write(`${text}\n`);
  }

  private slot(slot: number): cliProgress.SingleBar | undefined {
    if (!this.bars) return undefined;
    let bar = this.slots.get(slot);
    if (!bar) {
      bar = this.bars.create(1, 0, { slot, status: 'starting' }, { format: '  worker {slot}: {status}' });
      this.slots.set(slot, bar);
    }
    return bar;
  }

  private progress(progress: StudyProgress | null): void {
    if (!progress || !this.study) return;
    if (progress.total !== null) this.study.setTotal(progress.total);
    this.study.update(progress.done, {
      best: progress.front === null ? fmt(progress.best) : String(progress.front),
    });
  }

  handle(event: WorkerEvent): void {
    switch (event.type) {
      case 'started': {
        this.objective = event.study.objective;
        this.objectives = event.study.objectives.length >= 2 ? event.study.objectives : [];
        this.studyName = event.study.name;
        const goal = this.objectives.length > 0 ? 'Pareto front' : `best ${this.objective}`;
        if (this.bars && !this.study) {
          this.study = this.bars.create(
            event.study.maxTrials ?? 0,
            0,
            { best: '-' },
            {
              format: `study ${this.studyName} |{bar}| {value}/{total} trials | ${goal} {best}`,
            },
          );
        }
        if (event.slot === 0)
          this.line(`worker ${event.workerId} on study ${event.study.name} (${event.study.id})`);
        this.slot(event.slot)?.update({ status: 'asking for a trial' });
        break;
      }
      case 'trial-started':
        this.slot(event.slot)?.update({ status: `trial #${event.number} starting` });
        if (!this.bars)
          this.line(`[${event.slot}] trial #${event.number} started ${JSON.stringify(event.params)}`);
        break;
      case 'metrics': {
        const metric = event.metrics[this.objective];
        const shown = metric === undefined ? '' : ` ${this.objective} ${fmt(metric)}`;
        this.slot(event.slot)?.update({ status: `trial #${event.number} epoch ${event.step + 1}${shown}` });
        break;
      }
      case 'trial-finished': {
        const value =
          event.values && this.objectives.length > 0
            ? event.values.map((v, j) => ` ${this.objectives[j] ?? j}=${fmt(v)}`).join('')
            : event.value === null
              ? ''
              : ` ${this.objective}=${fmt(event.value)}`;
        const error = event.error ? ` (${event.error})` : '';
        const p = event.progress;
        const retried = p && p.retries > 0 ? `, ${p.retries} retried` : '';
        const tally = p
          ? ` [${p.done}${p.total === null ? '' : `/${p.total}`} done${retried}, ${p.front === null ? `best ${fmt(p.best)}` : `${p.front} on the Pareto front`}]`
          : '';
        const checkpoint = event.checkpointError ? ` (checkpoint not saved: ${event.checkpointError})` : '';
        this.line(
          `[${event.slot}] trial #${event.number} ${event.state}${value}${error}${checkpoint}${tally}`,
        );
        this.slot(event.slot)?.update({ status: `trial #${event.number} ${event.state}` });
        this.progress(event.progress);
        break;
      }
      case 'idle':
        this.slot(event.slot)?.update({ status: 'waiting for other workers to finish' });
        this.progress(event.progress);
        break;
      case 'log':
        this.line(`[${event.slot}] ${event.message}`);
        break;
      case 'stopped':
        this.slot(event.slot)?.update({ status: `stopped (${event.reason})` });
        break;
    }
  }

  note(text: string): void {
    this.line(text);
  }

  stop(): void {
    if (!this.bars || this.stopped) return;
    this.stopped = true;
    // cli-progress prints logged lines on its next redraw, and stop() does not redraw them: without
    // this the last trial's line (or a Ctrl-C notice) would vanish from the terminal.
    this.bars.update();
    this.bars.stop();
  }
}
