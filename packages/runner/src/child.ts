/**
 * Entry of a forked worker process (`--concurrency N`): one trial at a time, one core each (the
 * tfjs wasm backend is single-threaded). Commands arrive over IPC; when the parent disappears
 * (IPC disconnect) the trial in flight is handed back rather than left RUNNING.
 */
import { loadObjective } from './objective-loader.js';
import type { ChildMessage, ParentMessage } from './pool-protocol.js';
import { runWorker } from './worker.js';
import { createWorkerClient } from './worker-client.js';

const drain = new AbortController();
const hardStop = new AbortController();

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

process.on('disconnect', () => hardStop.abort());
process.on('SIGTERM', () => hardStop.abort());
process.on('SIGINT', () => (drain.signal.aborted ? hardStop.abort() : drain.abort()));

process.on('message', (raw: unknown) => {
  const message = raw as ParentMessage;
  if (message.type === 'drain') drain.abort();
  else if (message.type === 'hard-stop') hardStop.abort();
  else if (message.type === 'start') {
    void start(message).then(
      () => process.exit(0),
      async (error: unknown) => {
        await send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  }
});

async function start({ config }: Extract<ParentMessage, { type: 'start' }>): Promise<void> {
  const log = (line: string) =>
    void send({ type: 'event', event: { type: 'log', slot: config.slot, level: 'info', message: line } });
  const objective = await loadObjective(config.objective, { log });
  const warn = (message: string) =>
    void send({ type: 'event', event: { type: 'log', slot: config.slot, level: 'warn', message } });
  const api = createWorkerClient(config.url, config.token, warn);
  const summary = await runWorker({
    api,
    studyId: config.studyId,
    objective,
    slot: config.slot,
    workerId: config.workerId,
    drain: drain.signal,
    hardStop: hardStop.signal,
    onEvent: (event) => void send({ type: 'event', event }),
    ...(config.maxTrials === undefined ? {} : { maxTrials: config.maxTrials }),
    ...(config.pollMs === undefined ? {} : { pollMs: config.pollMs }),
    ...(config.heartbeatMs === undefined ? {} : { heartbeatMs: config.heartbeatMs }),
    ...(config.apiRetryWindowMs === undefined ? {} : { apiRetryWindowMs: config.apiRetryWindowMs }),
    ...(config.checkpointRetryWindowMs === undefined
      ? {}
      : { checkpointRetryWindowMs: config.checkpointRetryWindowMs }),
    ...(config.progress === undefined ? {} : { progress: config.progress }),
  });
  await send({ type: 'done', summary });
}
