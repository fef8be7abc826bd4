// Creating things in the dashboard, in Debian chromium against a real API and PostgreSQL: sign up,
// create a team and a study in the UI (client and API validation errors beside their fields), create a
// study by importing a YAML study file, enqueue a trial with chosen params, pause and resume a study.
// Each test makes its own user, team and study (tests/e2e/dashboard-fixture.mjs).
// Run: npm run build && node --test tests/e2e/dashboard-create.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  createBranin,
  dashboardSuite,
  PASSWORD,
  shot,
  uniqueEmail,
  withOwnerPage,
} from './dashboard-fixture.mjs';

const here = new URL('.', import.meta.url).pathname;
const { describe, it, env, why } = dashboardSuite();

describe('dashboard: creating teams, studies and trials', { timeout: 300_000 }, () => {
  it('signs up, creates a team and a study in the UI', async () => {
    const { stack, browser } = env;
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/signup`);
    await shot(page, 'signup');
    await page.getByLabel('Name').fill('Ada Owner');
    await page.getByLabel('Email').fill(uniqueEmail('owner'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Create a team', exact: true }).waitFor();
    await page.getByLabel('Team name').fill('Vision Lab');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('heading', { name: 'Studies', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No studies yet', exact: true }).waitFor();
    assert.match(page.url(), /\/teams\/[^/]+\/studies$/);
    await shot(page, 'studies-empty');

    await page.getByRole('link', { name: 'New study' }).first().click();
    await page.getByRole('heading', { name: 'New study', exact: true }).waitFor();
    await page.getByLabel('Study name').fill('branin e2e');
    await page.getByLabel('Objective metric').fill('loss');
    // the form starts with one float parameter "lr": make it x in [-5, 10], then add y
    const p0 = page.getByRole('group', { name: 'Parameter 1' });
    await p0.getByLabel('Name').fill('x');
    await p0.getByLabel('Low').fill('-5');
    await p0.getByLabel('High').fill('10');
    await page.getByRole('button', { name: '+ float' }).click();
    const p1 = page.getByRole('group', { name: 'Parameter 2' });
    await p1.getByLabel('Name').fill('y');
    await p1.getByLabel('Low').fill('0');
    await p1.getByLabel('High').fill('15');
    // a client-side validation error shows beside its field
    await page.getByLabel('Budget (trials)').fill('0');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.getByText('Budget must be a whole number ≥ 1.').waitFor();
    await page.getByLabel('Budget (trials)').fill('20');
    await page.getByLabel('Parallelism').fill('2');
    await page.getByLabel('Sampler', { exact: true }).selectOption('gp');
    await page.getByLabel('Seed').fill('3');
    // the options the hint gives as an example must be ones the API accepts: use its option names
    const hint = (await page.locator('#samplerOptions-hint').textContent()) ?? '';
    const example = JSON.parse(hint.slice(hint.indexOf('{')));
    const options = Object.fromEntries(Object.keys(example).map((k) => [k, 3]));
    await page.getByLabel('Sampler options (JSON)').fill(JSON.stringify(options));
    // an error only the API knows about (its limit on retries) shows beside the field too
    await page.getByLabel('Retries of failed trials').fill('1000');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.locator('#retryFailed-error').waitFor();
    assert.equal(await page.getByLabel('Retries of failed trials').getAttribute('aria-invalid'), 'true');
    await shot(page, 'new-study-api-error');
    await page.getByLabel('Retries of failed trials').fill('0');
    await shot(page, 'new-study');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.waitForURL(/\/studies\/[^/]+$/);
    await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No trials yet', exact: true }).waitFor();
    await ctx.close();
  });

  it('enqueues a trial with chosen params', () =>
    withOwnerPage(env, { prefix: 'enqueue' }, async ({ owner, page, stack }) => {
      const study = await createBranin(owner.client, owner.teamId);
      await page.goto(`${stack.web.url}/studies/${study.id}`);
      await page.getByRole('button', { name: 'Enqueue trial' }).click();
      const dialog = page.getByRole('dialog', { name: 'Enqueue a trial' });
      await dialog.getByLabel('x').fill('1.5');
      await dialog.getByLabel('y').fill('2.5');
      await dialog.getByRole('button', { name: 'Enqueue' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const row = page.getByRole('table', { name: 'Trials' }).getByRole('row').filter({ hasText: '1.5' });
      await row.getByText('waiting').waitFor();
    }));

  it('pauses and resumes the study', () =>
    withOwnerPage(env, { prefix: 'pause' }, async ({ owner, page, stack }) => {
      const study = await createBranin(owner.client, owner.teamId);
      await page.goto(`${stack.web.url}/studies/${study.id}`);
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByText('This study is paused').waitFor();
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('button', { name: 'Pause' }).waitFor();
    }));

  it('creates a study by importing a YAML study file on the create page', () =>
    withOwnerPage(env, { prefix: 'yaml' }, async ({ owner, page }) => {
      const file = readFileSync(join(here, 'fixtures', 'study.yaml'));
      await page.goto(`${owner.teamUrl}/new`);
      await page.getByRole('heading', { name: 'New study', exact: true }).waitFor();
      await page
        .getByLabel('Import a study file')
        .setInputFiles({ name: 'study.yaml', mimeType: 'text/yaml', buffer: file });
      await page.getByText('Imported study.yaml').waitFor();
      assert.equal(await page.getByLabel('Study name').inputValue(), 'yaml import e2e');
      await shot(page, 'new-study-imported');
      await page.getByRole('button', { name: 'Create study' }).click();
      await page.waitForURL(/\/studies\/[^/]+$/);
      await page.getByRole('heading', { name: 'yaml import e2e', exact: true }).waitFor();
      const id = page.url().split('/').pop();
      // what the API stored is the file's search space, entry for entry
      const created = await owner.client.study(id);
      const doc = parseYaml(file.toString('utf8'));
      assert.equal(created?.direction, 'MAXIMIZE');
      assert.equal(created?.objective, 'acc');
      assert.equal(created?.maxTrials, 12);
      assert.deepEqual(created?.searchSpace, doc.searchSpace);
    }));
});

if (why) console.log(`# skipped: ${why}`);
