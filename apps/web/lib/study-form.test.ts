import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draftsToSpace, emptyDraft, parseChoice } from './search-space.ts';
import {
  apiErrorText,
  constraintDraft,
  emptyForm,
  fieldForApiError,
  formFromFile,
  formFromStudy,
  formToInput,
  objectiveDraft,
} from './study-form.ts';

describe('search-space editor', () => {
  it('builds every parameter type with log and step options', () => {
    const { space, errors } = draftsToSpace([
      { ...emptyDraft('float', 'lr'), low: '1e-5', high: '0.1', log: true },
      { ...emptyDraft('int', 'units'), low: '16', high: '512', step: '16' },
      { ...emptyDraft('float', 'dropout'), low: '0', high: '0.7', step: '0.05' },
      { ...emptyDraft('categorical', 'batch'), choices: '16, 32, 64' },
      { ...emptyDraft('categorical', 'act'), choices: 'relu, gelu' },
      { ...emptyDraft('categorical', 'bn'), choices: 'true,false' },
    ]);
    assert.deepEqual(errors, {});
    assert.deepEqual(space, [
      { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
      { name: 'units', type: 'int', low: 16, high: 512, step: 16 },
      { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
      { name: 'batch', type: 'categorical', choices: [16, 32, 64] },
      { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
      { name: 'bn', type: 'categorical', choices: [true, false] },
    ]);
  });
  it('reports each problem beside its field', () => {
    const { errors } = draftsToSpace([
      { ...emptyDraft('float', 'lr'), low: '0', high: '1', log: true },
      { ...emptyDraft('int', 'lr'), low: '1.5', high: '1' },
      { ...emptyDraft('categorical', 'bad name!'), choices: ' , ' },
    ]);
    assert.equal(errors['searchSpace.0.low'], 'Log scale needs low > 0.');
    assert.equal(errors['searchSpace.1.name'], '"lr" is already used.');
    assert.equal(errors['searchSpace.1.low'], 'Must be an integer.');
    assert.equal(errors['searchSpace.1.high'], 'Must be greater than low.');
    assert.match(errors['searchSpace.2.name'] ?? '', /1-64 letters/);
    assert.match(errors['searchSpace.2.choices'] ?? '', /at least one choice/);
  });
  it('parses choices', () => {
    assert.deepEqual(['1', '0.5', 'true', '"x"', 'relu'].map(parseChoice), [1, 0.5, true, 'x', 'relu']);
  });
});

describe('study form', () => {
  it('validates into createStudy input', () => {
    const form = { ...emptyForm(), name: 'demo', seed: '3', samplerOptions: '{"nStartupTrials": 5}' };
    form.params = [{ ...emptyDraft('float', 'lr'), low: '0.001', high: '0.1', log: true }];
    const { input, errors } = formToInput(form, 'team1');
    assert.deepEqual(errors, {});
    assert.deepEqual(input.sampler, { nStartupTrials: 5, type: 'gp', seed: 3 });
    assert.equal(input.maxTrials, 30);
    assert.equal(input.teamId, 'team1');
  });
  it('flags bad numbers and JSON', () => {
    const { errors } = formToInput(
      { ...emptyForm(), name: '', maxTrials: '0', samplerOptions: '{', parallelism: 'x' },
      't',
    );
    assert.ok(errors.name && errors.maxTrials && errors.samplerOptions && errors.parallelism);
  });
  it('checks the API limits (the shared study-input schema) before the round trip', () => {
    const form = { ...emptyForm(), name: 'demo', maxTrials: '200000', parallelism: '2', retryFailed: '101' };
    const { errors } = formToInput(form, 't');
    assert.equal(errors.maxTrials, 'Budget must be at most 100000.');
    assert.equal(errors.retryFailed, 'Retries must be at most 100.');
    assert.equal(errors.parallelism, undefined);
  });
  it('imports a YAML study file', () => {
    const yaml = `name: mnist-tl
direction: minimize
objective: val_loss
sampler: { type: gp, seed: 0, nStartupTrials: 8 }
pruner: median
maxTrials: 30
parallelism: 2
searchSpace:
  - { name: lr, type: float, low: 1.0e-5, high: 0.1, log: true }
  - { name: batch, type: categorical, choices: [16, 32] }
`;
    const { form, error } = formFromFile(yaml);
    assert.equal(error, null);
    assert.equal(form.name, 'mnist-tl');
    assert.equal(form.direction, 'MINIMIZE');
    assert.equal(form.seed, '0');
    assert.equal(form.samplerOptions, '{"nStartupTrials":8}');
    assert.equal(form.pruner, 'median');
    const { input, errors } = formToInput(form, 't');
    assert.deepEqual(errors, {});
    assert.deepEqual(input.searchSpace, [
      { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
      { name: 'batch', type: 'categorical', choices: [16, 32] },
    ]);
  });
  it('imports JSON and rejects malformed files with a message', () => {
    assert.equal(formFromFile('{"name": "x", "searchSpace": []}').form.name, 'x');
    assert.match(formFromFile('searchSpace: [{name: a, type: weird}]').error ?? '', /type must be/);
    assert.match(formFromFile('{').error ?? '', /Could not parse/);
    assert.match(formFromFile('- 1').error ?? '', /mapping/);
  });
  it('maps API validation errors to fields', () => {
    assert.equal(fieldForApiError('x', 'maxTrials'), 'maxTrials');
    assert.equal(fieldForApiError('searchSpace[1]: low must be < high', null), 'searchSpace.1.name');
    assert.equal(
      fieldForApiError('parameter "units": log needs low > 0', null, ['lr', 'units']),
      'searchSpace.1.name',
    );
    assert.equal(fieldForApiError('maxTrials must be positive', null), 'maxTrials');
    assert.equal(fieldForApiError('something odd', null), 'form');
    assert.equal(fieldForApiError('input.searchSpace[2].low: log needs low > 0', null), 'searchSpace.2.low');
    assert.equal(fieldForApiError('input.searchSpace[0]: duplicate name "x"', null), 'searchSpace.0.name');
    assert.equal(fieldForApiError('input.maxTrials: must be at most 100000', null), 'maxTrials');
    assert.equal(fieldForApiError('input.sampler.xi: unknown option', null), 'samplerOptions');
    assert.equal(fieldForApiError('input.sampler.seed: must be an integer', null), 'seed');
    assert.equal(apiErrorText('input.searchSpace[2].low: log needs low > 0'), 'log needs low > 0');
    assert.equal(apiErrorText('plain message'), 'plain message');
  });
});

describe('formFromStudy (clone with edits)', () => {
  it('fills every field from the study, under a new name, and validates to the same input', async () => {
    const { fixtureStudy } = await import('./fixtures.ts');
    const { study } = fixtureStudy({ trials: 3, steps: 2 });
    const form = formFromStudy({ ...study, sampler: { type: 'gp', seed: 7, nStartupTrials: 5 } });
    assert.equal(form.name, `${study.name} (copy)`);
    assert.equal(form.seed, '7');
    assert.deepEqual(JSON.parse(form.samplerOptions), { nStartupTrials: 5 });
    const { input, errors } = formToInput(form, 'team-1');
    assert.deepEqual(errors, {});
    assert.deepEqual(input.searchSpace, study.searchSpace);
    assert.equal(input.objective, study.objective);
    assert.equal(input.direction, study.direction);
    assert.equal(input.maxTrials, study.maxTrials);
  });
});

describe('study form: several objectives and constraints', () => {
  const base = () => {
    const form = { ...emptyForm(), name: 'mo', objective: 'val_loss' };
    form.params = [{ ...emptyDraft('float', 'lr'), low: '0.001', high: '0.1', log: true }];
    return form;
  };
  it('a single objective sends objective and direction only', () => {
    const { input, errors } = formToInput(base(), 'team1');
    assert.deepEqual(errors, {});
    assert.equal(input.objectives, undefined);
    assert.equal(input.constraints, undefined);
  });
  it('further objectives, constraints and a reference point go as the contract says', () => {
    const form = {
      ...base(),
      moreObjectives: [objectiveDraft('latency_ms', 'MINIMIZE'), objectiveDraft('acc', 'MAXIMIZE')],
      constraints: [constraintDraft('memory_over')],
      referencePoint: '1, 100, 0',
    };
    const { input } = formToInput(form, 'team1');
    assert.deepEqual(input.objectives, [
      { name: 'val_loss', direction: 'MINIMIZE' },
      { name: 'latency_ms', direction: 'MINIMIZE' },
      { name: 'acc', direction: 'MAXIMIZE' },
    ]);
    assert.equal(input.objective, 'val_loss', 'the first objective is the study objective');
    assert.deepEqual(input.constraints, [{ name: 'memory_over' }]);
    assert.deepEqual(input.referencePoint, [1, 100, 0]);
  });
  it('says which row is wrong: an empty name, a reference point of the wrong length', () => {
    const form = {
      ...base(),
      moreObjectives: [objectiveDraft('', 'MINIMIZE')],
      constraints: [constraintDraft('ok'), constraintDraft(' ')],
      referencePoint: '1, 2, 3',
    };
    const { errors } = formToInput(form, 'team1');
    assert.match(errors['objectives.1.name'] ?? '', /Name the metric/);
    assert.match(errors['constraints.1.name'] ?? '', /<= 0/);
    assert.match(errors.referencePoint ?? '', /One number per objective \(2\)/);
    assert.equal(errors['constraints.0.name'], undefined);
  });
  it('reads objectives and constraints from a study file, and clones them', () => {
    const { form, error } = formFromFile(
      'name: f\nobjectives:\n  - {name: loss, direction: minimize}\n  - {name: acc, direction: maximize}\nconstraints:\n  - {name: mem}\nreferencePoint: [1, 0]\n',
    );
    assert.equal(error, null);
    assert.equal(form.objective, 'loss');
    assert.deepEqual(
      form.moreObjectives.map((o) => [o.name, o.direction]),
      [['acc', 'MAXIMIZE']],
    );
    assert.deepEqual(
      form.constraints.map((c) => c.name),
      ['mem'],
    );
    assert.equal(form.referencePoint, '1, 0');
  });
});
