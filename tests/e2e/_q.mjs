const [email, sid] = process.argv.slice(2);
const g = async (query, variables, token, url = 'http://127.0.0.1:4010/graphql') => {
  const t = performance.now();
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await r.text();
  return { ms: Math.round(performance.now() - t), bytes: text.length, body: text };
};
const login = await g('mutation($e:String!,$p:String!){ logIn(email:$e,password:$p){ token } }', {
  e: email,
  p: 'correct horse battery staple',
});
const token = JSON.parse(login.body).data.logIn.token;
const T = `id number state params value workerId startedAt finishedAt error suggestion { sampler mean std acquisition }`;
for (let i = 0; i < 2; i++) {
  const a = await g(
    `query($id:ID!){ study(id:$id){ trials(first:500){ nodes { ${T} } pageInfo { endCursor hasNextPage } } } }`,
    { id: sid },
    token,
  );
  console.log('trials 500 direct', a.ms, 'ms', a.bytes, 'bytes');
  const a2 = await g(
    `query($id:ID!){ study(id:$id){ trials(first:500){ nodes { id number state params value } pageInfo { endCursor hasNextPage } } } }`,
    { id: sid },
    token,
  );
  console.log('trials 500 slim direct', a2.ms, 'ms', a2.bytes);
  const b = await g(
    `query($id:ID!){ study(id:$id){ trials(first:500){ nodes { ${T} } pageInfo { endCursor hasNextPage } } } }`,
    { id: sid },
    token,
    'http://localhost:3000/graphql',
  );
  console.log('trials 500 via next', b.ms, 'ms');
  const h = await g(
    `query($id:ID!){ study(id:$id){ history { trialId number state value } } }`,
    { id: sid },
    token,
  );
  console.log('history', h.ms, 'ms', h.bytes);
  const m = await g(
    `query($id:ID!){ study(id:$id){ trials(first:30){ nodes { id metrics { name step value } } } } }`,
    { id: sid },
    token,
  );
  console.log('metrics 30 trials', m.ms, 'ms', m.bytes, m.body.slice(0, 100));
}
