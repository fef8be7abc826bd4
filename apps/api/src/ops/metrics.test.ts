import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOpsMetrics } from './metrics.js';

/** The value of one sample line of the text exposition, e.g. `posterior_asks_total 3`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('counters, gauges and the suggestion histogram appear in Prometheus text format', async () => {
  const m = createOpsMetrics({ processMetrics: false });
  m.asks.inc();
  m.asks.inc();
  m.trialsAsked.inc(3);
  m.tells.inc({ state: 'COMPLETE' });
  m.tells.inc({ state: 'FAILED' });
  m.metricPointsIngested.inc(20);
  m.suggestionSeconds.observe({ sampler: 'gp' }, 0.03);
  const end = m.timeSuggestion('random');
  const seconds = end();
  assert.ok(seconds >= 0);
  const text = await m.registry.metrics();
  assert.equal(sample(text, 'posterior_asks_total'), 2);
  assert.equal(sample(text, 'posterior_trials_asked_total'), 3);
  assert.equal(sample(text, 'posterior_tells_total{state="COMPLETE"}'), 1);
  assert.equal(sample(text, 'posterior_tells_total{state="FAILED"}'), 1);
  assert.equal(sample(text, 'posterior_tells_total{state="PRUNED"}'), 0, 'zero series exist up front');
  assert.equal(sample(text, 'posterior_metric_points_ingested_total'), 20);
  assert.equal(sample(text, 'posterior_suggestion_duration_seconds_count{sampler="gp"}'), 1);
  assert.equal(sample(text, 'posterior_suggestion_duration_seconds_bucket{le="0.05",sampler="gp"}'), 1);
  assert.equal(sample(text, 'posterior_suggestion_duration_seconds_bucket{le="0.025",sampler="gp"}'), 0);
  assert.equal(sample(text, 'posterior_suggestion_duration_seconds_count{sampler="random"}'), 1);
  assert.match(text, /# TYPE posterior_suggestion_duration_seconds histogram/);
  assert.match(text, /# TYPE posterior_trials gauge/);
  assert.equal(sample(text, 'posterior_trials{state="WAITING"}'), 0);
});

test('a tracked subscription is counted until closed, and closing twice counts once', async () => {
  const m = createOpsMetrics({ processMetrics: false });
  const close1 = m.trackSubscription('trialEvents');
  const close2 = m.trackSubscription('trialEvents');
  m.trackSubscription('metricPoints');
  let text = await m.registry.metrics();
  assert.equal(sample(text, 'posterior_subscriptions_open{topic="trialEvents"}'), 2);
  assert.equal(sample(text, 'posterior_subscriptions_open{topic="metricPoints"}'), 1);
  close1();
  close1();
  close2();
  text = await m.registry.metrics();
  assert.equal(sample(text, 'posterior_subscriptions_open{topic="trialEvents"}'), 0);
});

test('separate registries do not share values; process metrics are optional', async () => {
  const a = createOpsMetrics({ processMetrics: false });
  const b = createOpsMetrics();
  a.asks.inc(5);
  assert.equal(sample(await b.registry.metrics(), 'posterior_asks_total'), 0);
  assert.match(await b.registry.metrics(), /posterior_process_cpu_user_seconds_total/);
  assert.doesNotMatch(await a.registry.metrics(), /process_cpu/);
});

test('countSubscription counts a stream open until the client unsubscribes or it ends', async () => {
  const m = createOpsMetrics({ processMetrics: false });
  async function* events() {
    yield 1;
    yield 2;
    yield 3;
  }
  const open = async () =>
    sample(await m.registry.metrics(), 'posterior_subscriptions_open{topic="metricPoints"}');
  const stream = m.countSubscription('metricPoints', events());
  assert.deepEqual(await stream.next(), { value: 1, done: false });
  assert.equal(await open(), 1);
  await stream.return(undefined); // what graphql-ws does when the client sends `complete`
  assert.equal(await open(), 0);
  const drained: number[] = [];
  for await (const v of m.countSubscription('metricPoints', events())) drained.push(v);
  assert.deepEqual(drained, [1, 2, 3]);
  assert.equal(await open(), 0);
});
