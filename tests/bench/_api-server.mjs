// Child process of api.mjs: one API server on the given database, so the load generator and the
// server do not share an event loop. Prints {"url","wsUrl"} once listening; SIGTERM stops it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer, createDataSource, createLogger } from '@posterior/api';

const url = process.argv[2];
const dataSource = createDataSource(url, { poolSize: 20, applicationName: 'posterior-bench-api' });
await dataSource.initialize();
const server = await createApiServer({
  dataSource,
  dataDir: mkdtempSync(join(tmpdir(), 'posterior-bench-')),
  port: 0,
  host: '127.0.0.1',
  logger: createLogger('warn'),
});
process.stdout.write(`${JSON.stringify({ url: server.url, wsUrl: server.wsUrl })}\n`);
process.once('SIGTERM', async () => {
  await server.close();
  await dataSource.destroy();
  process.exit(0);
});
