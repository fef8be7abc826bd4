// Child process of api.mjs: one worker looping ask -> tell against the API for a fixed time, like
// a `posterior worker` process whose objective returns at once. Prints its latencies as JSON.
const [url, token, studyId, seconds] = process.argv.slice(2);
const ASK = 'mutation($s: ID!) { askTrials(studyId: $s, workerId: "bench") { id params } }';
const TELL = 'mutation($t: ID!, $v: Float) { tellTrial(trialId: $t, state: COMPLETE, value: $v) { id } }';

async function gql(query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

for (let i = 0; i < 10; i++) {
  const [t] = (await gql(ASK, { s: studyId })).askTrials;
  await gql(TELL, { t: t.id, v: 1 });
}
// Start together: the parent sends "go" on stdin once every worker is warm.
await new Promise((resolve) => process.stdin.once('data', resolve));
const ask = [];
const tell = [];
const end = performance.now() + Number(seconds) * 1000;
while (performance.now() < end) {
  const t0 = performance.now();
  const [t] = (await gql(ASK, { s: studyId })).askTrials;
  const t1 = performance.now();
  await gql(TELL, { t: t.id, v: t.params.x * t.params.x + t.params.y });
  ask.push(t1 - t0);
  tell.push(performance.now() - t1);
}
process.stdout.write(`${JSON.stringify({ ask, tell })}\n`);
process.exit(0);
