import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GP_DEFAULTS, parseSamplerConfig } from './config.js';
import { ConfigError } from './errors.js';

describe('parseSamplerConfig', () => {
  it('fills defaults', () => {
    assert.deepEqual(parseSamplerConfig({ type: 'gp' }), { type: 'gp', ...GP_DEFAULTS });
    assert.equal(parseSamplerConfig(undefined).type, 'gp');
    const c = parseSamplerConfig({ type: 'random', seed: 4 });
    assert.equal(c.type, 'random');
    assert.equal(c.seed, 4);
  });
  it('keeps valid options', () => {
    const c = parseSamplerConfig({
      type: 'gp',
      xi: 0.01,
      kernel: 'rbf',
      acquisition: 'ucb',
      beta: 2,
      deterministic: true,
      noiseUnits: 'objective',
      warmStartRefine: true,
    });
    assert.equal(c.noiseUnits, 'objective');
    assert.equal(c.warmStartRefine, true);
    assert.equal(c.xi, 0.01);
    assert.equal(c.kernel, 'rbf');
    assert.equal(c.acquisition, 'ucb');
    assert.equal(c.deterministic, true);
  });
  for (const [input, path] of [
    [{ type: 'tpe' }, 'sampler.type'],
    [{ type: 'gp', xi: -1 }, 'sampler.xi'],
    [{ type: 'gp', xi: 'big' }, 'sampler.xi'],
    [{ type: 'gp', seed: 1.5 }, 'sampler.seed'],
    [{ type: 'gp', kernel: 'linear' }, 'sampler.kernel'],
    [{ type: 'gp', nStartupTrials: 0 }, 'sampler.nStartupTrials'],
    [{ type: 'gp', noiseFloor: 0 }, 'sampler.noiseFloor'],
    [{ type: 'gp', candidate: 10 }, 'sampler.candidate'],
    [{ type: 'gp', noiseUnits: 'raw' }, 'sampler.noiseUnits'],
    [{ type: 'gp', warmStartRefine: 'yes' }, 'sampler.warmStartRefine'],
    [[], 'sampler'],
  ] as const) {
    it(`rejects at ${path}`, () => {
      assert.throws(
        () => parseSamplerConfig(input),
        (e: unknown) => e instanceof ConfigError && e.path === path && e.message.startsWith(path),
      );
    });
  }
});
