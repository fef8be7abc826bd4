// The study page's workers (issue 15, item 10), in Debian chromium against a real API: a RUNNING study
// nobody works on shows a banner with the exact `posterior worker` command; a worker that claims a
// trial through the SDK appears in the Workers panel as live, with its trials on the timeline, and the
// banner goes; the copied command, run as is, starts a worker the panel shows. Each test makes its own
// user, team and study (tests/e2e/dashboard-fixture.mjs). SHOTS_DIR=dir also saves 1440x900
// screenshots, light and dark.
// Run: npm run build && node --test tests/e2e/dashboard-workers.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliBin } from '../scale/lib/procs.mjs';
import {
  createBranin,
  dashboardSuite,
  newOwner,
  objective,
  themedPage,
  waitFor,
} from './dashboard-fixture.mjs';
import { cliWorkerAvailable } from './stack.mjs';

const { describe, it, env } = dashboardSuite();

/** A study page at 1440x900 in the given theme, signed in as the owner. */
const studyPage = (owner, studyId, theme = 'light') =>
  themedPage(env, owner.email, `${env.stack.web.url}/studies/${studyId}`, { theme });

async function shoot(page, name, locator) {
  if (!process.env.SHOTS_DIR) return;
  if (locator)
    await locator.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(process.env.SHOTS_DIR, `${name}.png`) });
}

describe('dashboard: workers', { timeout: 300_000 }, () => {
  it('a running study with no worker shows the banner with the exact worker command', async () => {
    const owner = await newOwner(env.stack, { prefix: 'noworker', team: 'Worker Lab' });
    const study = await createBranin(owner.client, owner.teamId, {
      name: 'no worker yet',
      maxTrials: 40,
      parallelism: 4,
    });
    try {
      for (const theme of ['light', 'dark']) {
        const { ctx, page } = await studyPage(owner, study.id, theme);
        const banner = page.getByTestId('no-worker-banner');
        await banner.waitFor({ timeout: 60_000 });
        assert.match(await banner.textContent(), /No worker is running this study/);
        assert.equal(
          await page.getByTestId('worker-command').textContent(),
          `npx posterior worker --api ${env.stack.web.url} --study ${study.id} --token "$POSTERIOR_TOKEN"`,
        );
        await shoot(page, `no-worker-${theme}`);
        await ctx.close();
      }
    } finally {
      await owner.close();
    }
  });

  it('a worker that claims a trial through the SDK is live in the panel, with its trials on the timeline', async () => {
    const owner = await newOwner(env.stack, { prefix: 'workers', team: 'Worker Lab' });
    const study = await createBranin(owner.client, owner.teamId, {
      name: 'with workers',
      maxTrials: 40,
      parallelism: 4,
    });
    const { client } = owner;
    try {
      // an earlier worker with finished trials, then the one that is running now
      const earlier = await client.askTrials(study.id, 3, 'gpu-box-1');
      await client.tellTrial(earlier[0].id, { state: 'COMPLETE', value: 0.42 });
      await client.tellTrial(earlier[1].id, { state: 'PRUNED' });
      await client.tellTrial(earlier[2].id, { state: 'FAILED', error: 'CUDA out of memory' });
      const [running] = await client.askTrials(study.id, 1, 'e2e-worker-7');
      await client.heartbeat(running.id);

      for (const theme of ['light', 'dark']) {
        const { ctx, page } = await studyPage(owner, study.id, theme);
        const row = page.locator('[data-testid="worker-row"][data-worker="e2e-worker-7"]');
        await row.waitFor({ timeout: 60_000 });
        assert.match(await row.textContent(), /live/);
        assert.match(await row.textContent(), new RegExp(`#${running.number}`));
        assert.equal(await page.getByTestId('no-worker-banner').count(), 0);
        assert.equal(
          await page.locator('[data-testid="worker-timeline"] [data-bar]').count(),
          4,
          'one bar per claimed trial',
        );
        await shoot(page, `workers-panel-${theme}`, page.getByTestId('workers-panel'));
        await ctx.close();
      }

      // the worker finishes its trial: it stays live (it just finished one) and idle, and no banner
      await client.tellTrial(running.id, { state: 'COMPLETE', value: 0.3 });
      const { ctx, page } = await studyPage(owner, study.id);
      const row = page.locator('[data-testid="worker-row"][data-worker="e2e-worker-7"]');
      await row.waitFor({ timeout: 60_000 });
      assert.match(await row.textContent(), /idle/);
      assert.equal(await page.getByTestId('no-worker-banner').count(), 0);
      await ctx.close();
    } finally {
      await owner.close();
    }
  });

  it('the copied command starts a worker (through the dashboard origin) that the panel shows live', {
    skip: cliWorkerAvailable() ? false : '`posterior worker` is not built',
  }, async () => {
    const owner = await newOwner(env.stack, { prefix: 'copied', team: 'Worker Lab' });
    const study = await createBranin(owner.client, owner.teamId, {
      name: 'copied command',
      maxTrials: 40,
      parallelism: 4,
    });
    const { ctx, page } = await studyPage(owner, study.id);
    const command = await page.getByTestId('worker-command').textContent({ timeout: 60_000 });
    // as a shell would run it, with the team's API token in POSTERIOR_TOKEN and the objective the
    // banner tells the user to add
    const args = command
      .replace(/^npx posterior /, '')
      .split(' ')
      .map((a) => (a === '"$POSTERIOR_TOKEN"' ? owner.token : a));
    const output = [];
    const worker = spawn(
      process.execPath,
      [cliBin, ...args, '--objective', objective, '--worker-id', 'copied-command', '--max-trials', '1'],
      {
        env: { ...process.env, POSTERIOR_TOKEN: owner.token, E2E_STEPS: '40', E2E_STEP_MS: '250' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const s of [worker.stdout, worker.stderr]) s.on('data', (d) => output.push(String(d)));
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    try {
      const row = page.locator('[data-testid="worker-row"][data-worker="copied-command"]');
      await row.waitFor({ timeout: 60_000 }).catch((e) => {
        throw new Error(`${e.message}\nworker output:\n${output.join('')}`);
      });
      assert.match(await row.textContent(), /live/);
      await waitFor(async () => (await page.getByTestId('no-worker-banner').count()) === 0, {
        timeoutMs: 10_000,
        what: 'the banner to go once a worker is live',
      });
      assert.equal(await exited, 0, output.join(''));
    } finally {
      if (worker.exitCode === null) worker.kill('SIGTERM');
      await ctx.close();
      await owner.close();
    }
  });
});
