import { spawnSync } from 'node:child_process';
import { bootstrap, fixture, quadraticSpace, startApi, bin } from '/work/main/tests/worker/_harness.mjs';
const api = await startApi();
const ctx = await bootstrap(api.url);
const study = await ctx.client.createStudy({ teamId: ctx.team.id, name: 'tty', direction: 'MINIMIZE', objective: 'loss', searchSpace: quadraticSpace, sampler: { type: 'random' }, maxTrials: 4, parallelism: 2 });
const cmd = `QUADRATIC_EPOCH_MS=200 node ${bin} worker --api ${api.url} --token ${ctx.token} --study ${study.id} --objective ${fixture('quadratic.mjs')} --concurrency 2`;
const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
console.log(r.status, r.error, JSON.stringify(r.stdout.slice(-2500)), r.stderr);
await ctx.client.close(); await api.close();
