// Shared setup of the dashboard's browser tests (dashboard-*.test.mjs): a stack and a browser per file,
// and fixtures (an owner, a team, a study, finished trials) each test creates for itself through the
// SDK, so any one test runs alone (`node --test --test-name-pattern=... tests/e2e/dashboard-x.test.mjs`).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeClient } from '@posterior/sdk/node';
import { launch } from './browser.mjs';
import { testsUnless } from './skippable.mjs';
import {
  cliWorkerAvailable,
  stackUnavailable,
  startSdkWorker,
  startStack,
  startWorker,
  waitFor,
} from './stack.mjs';

const here = new URL('.', import.meta.url).pathname;
export const shotsDir = join(here, 'screenshots');
mkdirSync(shotsDir, { recursive: true });
export const objective = join(here, 'fixtures', 'objective.mjs');
export const PASSWORD = 'correct horse battery staple';

let seq = 0;
/** An address no other test (or run) uses. */
export const uniqueEmail = (prefix) => `${prefix}-${Date.now()}-${++seq}@example.com`;

/**
 * node:test's suite functions for one file of browser tests (every test skipped with the reason when
 * the stack cannot run here; outside CI only), and the file's stack and browser once `before` ran.
 * Every test ends with no Content-Security-Policy violation on any page it opened.
 */
export function dashboardSuite() {
  const why = stackUnavailable();
  // Outside CI a missing browser or build is a skip with its reason; in CI it is a failure, never a pass.
  if (why && process.env.CI) throw new Error(`dashboard end to end cannot run in CI: ${why}`);
  const suite = testsUnless(why && `browser tests: ${why}`);
  const env = { stack: null, browser: null, cspViolations: [] };
  suite.before(async () => {
    env.stack = await startStack();
    env.browser = await launch();
    const newContext = env.browser.newContext.bind(env.browser);
    env.browser.newContext = async (...args) => {
      const ctx = await newContext(...args);
      ctx.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text()))
          env.cspViolations.push(`${m.page()?.url()}: ${m.text()}`);
      });
      return ctx;
    };
  });
  suite.afterEach(() => {
    // the app must work under its CSP (charts, exports, live updates, inline scripts)
    assert.deepEqual(env.cspViolations.splice(0), [], 'no Content-Security-Policy violation');
  });
  suite.after(async () => {
    await env.browser?.close();
    await env.stack?.stop();
  });
  return { ...suite, env, why };
}

/** A signed-up owner of a new team, with an SDK client on their session and an API token for workers. */
export async function newOwner(stack, { prefix = 'owner', name = 'Ada Owner', team = 'Vision Lab' } = {}) {
  const email = uniqueEmail(prefix);
  const anon = createNodeClient({ url: stack.api.url });
  const { token: session } = await anon.signUp(email, PASSWORD, name);
  await anon.close();
  const client = createNodeClient({ url: stack.api.url, token: session });
  const teamId = (await client.createTeam(team)).id;
  const { token } = await client.createApiToken(teamId, `${prefix}-worker`);
  return {
    email,
    client,
    teamId,
    token,
    teamUrl: `${stack.web.url}/teams/${teamId}/studies`,
    close: () => client.close(),
  };
}

/** A browser context at 1440x900 signed in as `email` (the session cookie, as the login form sets it). */
export async function signedInContext(browser, stack, email, options = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const res = await ctx.request.post(`${stack.web.url}/graphql`, {
    data: {
      query:
        'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p, cookie: true) { expiresAt } }',
      variables: { e: email, p: PASSWORD },
    },
  });
  assert.equal(res.status(), 200, await res.text());
  return ctx;
}

/**
 * Runs `body` with a new owner (`newOwner` options) signed in to their own browser context and a page
 * open in it, then closes both whatever happened: the setup most dashboard tests begin with.
 */
export async function withOwnerPage(env, ownerOptions, body) {
  const owner = await newOwner(env.stack, ownerOptions);
  let ctx;
  try {
    ctx = await signedInContext(env.browser, env.stack, owner.email);
    const page = await ctx.newPage();
    return await body({ owner, ctx, page, stack: env.stack });
  } finally {
    await ctx?.close();
    await owner.close();
  }
}

/**
 * A browser context signed in as `email` at `viewport` in the dashboard's `theme` (stored before any
 * script runs, as a returning user's saved choice would be).
 */
export async function themedContext(
  env,
  email,
  { theme = 'light', viewport = { width: 1440, height: 900 } } = {},
) {
  const ctx = await signedInContext(env.browser, env.stack, email, { colorScheme: theme, viewport });
  await ctx.addInitScript((t) => localStorage.setItem('posterior.theme', t), theme);
  return ctx;
}

/** A page of a new `themedContext` at `url`, with the page's uncaught errors collected. */
export async function themedPage(env, email, url, options = {}) {
  const ctx = await themedContext(env, email, options);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { ctx, page, errors };
}

/** The Branin study of the e2e objective (x in [-5, 10], y in [0, 15], minimize loss). */
export function createBranin(client, teamId, overrides = {}) {
  return client.createStudy({
    teamId,
    name: 'branin e2e',
    direction: 'MINIMIZE',
    objective: 'loss',
    searchSpace: [
      { name: 'x', type: 'float', low: -5, high: 10 },
      { name: 'y', type: 'float', low: 0, high: 15 },
    ],
    sampler: { type: 'random', seed: 1 },
    maxTrials: 4,
    parallelism: 2,
    ...overrides,
  });
}

/** `posterior worker` on the e2e objective (or the SDK loop of the same contract while the CLI lacks it). */
export async function startObjectiveWorker({ stack, token, studyId, name = 'e2e-worker', env = {} }) {
  if (cliWorkerAvailable()) {
    return startWorker({
      name,
      apiUrl: stack.api.url,
      token,
      studyId,
      objective,
      env: { E2E_STEPS: '12', E2E_STEP_MS: '250', ...env },
    });
  }
  console.log('# `posterior worker` is not built yet: driving trials with the SDK worker loop');
  return startSdkWorker({ apiUrl: stack.api.url, token, studyId, objective });
}

/** Runs a worker until every trial of the study's budget has finished. */
export async function runStudyToEnd({ stack, owner, studyId, maxTrials, env }) {
  const worker = await startObjectiveWorker({ stack, token: owner.token, studyId, env });
  try {
    await waitFor(
      async () => {
        const all = await owner.client.allTrials(studyId);
        return all.filter((t) => t.state !== 'WAITING' && t.state !== 'RUNNING').length >= maxTrials;
      },
      { timeoutMs: 240_000, intervalMs: 1000, what: `${maxTrials} finished trials` },
    );
  } finally {
    await worker.stop(5000);
  }
}

/** A full-page screenshot under tests/e2e/screenshots/, after passing over the page (charts mount on view). */
export async function shot(page, name) {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 500) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 60));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}

export { waitFor };

/** Finishes one trial per value through the SDK (a short flat curve each): a study with a history. */
export async function completeTrials(client, studyId, values) {
  const asked = await client.askTrials(studyId, values.length, 'e2e');
  for (const [i, t] of asked.entries()) {
    const value = values[i];
    for (let step = 0; step < 3; step++) await client.reportMetrics(t.id, [{ name: 'loss', step, value }]);
    await client.tellTrial(t.id, { state: 'COMPLETE', value });
  }
  return asked;
}
