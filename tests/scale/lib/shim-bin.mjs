#!/usr/bin/env node
// Stand-in for `posterior serve` / `posterior worker` built directly on @posterior/api and
// @posterior/runner, with the same flags. The scale harness uses it only when POSTERIOR_SCALE_SHIM=1
// (to exercise the harness before the CLI verbs exist); the real runs use packages/cli/dist/bin.js.
import { parseArgs } from 'node:util';
import { createApiServer, createDataSource, createLogger, startDatabase } from '@posterior/api';
import { loadObjective, runWorker } from '@posterior/runner';
import { createNodeClient } from '@posterior/sdk/node';

const [verb, ...rest] = process.argv.slice(2);

if (verb === 'serve') {
  const { values } = parseArgs({ args: rest, options: { port: { type: 'string', default: '4000' } } });
  const dataDir = process.env.POSTERIOR_DATA_DIR ?? '.posterior';
  const database = await startDatabase({ dataDir, databaseUrl: process.env.DATABASE_URL, migrate: true });
  const dataSource = createDataSource(database.url);
  await dataSource.initialize();
  const server = await createApiServer({
    dataSource,
    dataDir,
    port: Number(values.port),
    host: '127.0.0.1',
    logger: createLogger(process.env.LOG_LEVEL ?? 'warn'),
  });
  const stop = async () => {
    await server.close();
    await dataSource.destroy();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else if (verb === 'worker') {
  const { values } = parseArgs({
    args: rest,
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      study: { type: 'string' },
      objective: { type: 'string' },
    },
  });
  const api = createNodeClient({ url: values.api, token: values.token });
  const objective = await loadObjective({ kind: 'module', path: values.objective });
  const drain = new AbortController();
  process.once('SIGTERM', () => drain.abort());
  const summary = await runWorker({ api, studyId: values.study, objective, drain: drain.signal });
  await api.close();
  process.stdout.write(
    `${JSON.stringify({ type: 'summary', reason: summary.reason, trials: summary.trials.length })}\n`,
  );
} else {
  process.stderr.write('usage: shim-bin.mjs serve|worker ...\n');
  process.exit(2);
}
