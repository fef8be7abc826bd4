import type { Params } from '../search-space.js';
import type { BenchObjective } from './objectives.js';

/**
 * Conditional benchmark functions (`npm run bench -- conditional`): search spaces with `when`
 * conditions, values to minimize, known optima. `jenatton` and `mlp_hpo` are the public pair;
 * the others are held out (`--heldout`) to check that a design is not fitted to those two.
 */

const num = (p: Params, name: string): number => Number(p[name]);

/** Jenatton et al. (2017), "Bayesian optimization with tree-structured dependencies", section 5.1. */
const jenatton: BenchObjective = {
  name: 'jenatton',
  optimum: 0.1,
  space: [
    { name: 'x1', type: 'categorical', choices: [0, 1] },
    { name: 'x2', type: 'categorical', choices: [0, 1], when: { parent: 'x1', values: [0] } },
    { name: 'x3', type: 'categorical', choices: [0, 1], when: { parent: 'x1', values: [1] } },
    { name: 'x4', type: 'float', low: -1, high: 1, when: { parent: 'x2', values: [0] } },
    { name: 'x5', type: 'float', low: -1, high: 1, when: { parent: 'x2', values: [1] } },
    { name: 'x6', type: 'float', low: -1, high: 1, when: { parent: 'x3', values: [0] } },
    { name: 'x7', type: 'float', low: -1, high: 1, when: { parent: 'x3', values: [1] } },
    { name: 'r8', type: 'float', low: 0, high: 1, when: { parent: 'x1', values: [0] } },
    { name: 'r9', type: 'float', low: 0, high: 1, when: { parent: 'x1', values: [1] } },
  ],
  evaluate(p) {
    if (p.x1 === 0) {
      return p.x2 === 0 ? num(p, 'x4') ** 2 + 0.1 + num(p, 'r8') : num(p, 'x5') ** 2 + 0.2 + num(p, 'r8');
    }
    return p.x3 === 0 ? num(p, 'x6') ** 2 + 0.3 + num(p, 'r9') : num(p, 'x7') ** 2 + 0.4 + num(p, 'r9');
  },
};

/**
 * An MLP's validation loss as a function of its training set-up (our design, shaped like the demo):
 * the optimizer picks which of momentum / beta1 / rho exists and where the learning rate is best
 * (SGD's effective rate is lr / (1 - momentum)); `n_layers` activates units_2 and units_3 (nested:
 * units_3 needs n_layers = 3); the best dropout grows with depth; weight decay exists only when
 * used. Every term is 0 at the optimum (adam, lr = 10^(-3 + 2 (beta1 - 0.9)), 2 layers of 256 and
 * 128 units, dropout 0.15, weight decay 1e-4), so the minimum is exactly 0.3.
 */
const mlpHpo: BenchObjective = {
  name: 'mlp_hpo',
  optimum: 0.3,
  space: [
    { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] },
    { name: 'lr', type: 'float', low: 1e-5, high: 1, log: true },
    { name: 'momentum', type: 'float', low: 0, high: 0.99, when: { parent: 'optimizer', values: ['sgd'] } },
    { name: 'beta1', type: 'float', low: 0.8, high: 0.999, when: { parent: 'optimizer', values: ['adam'] } },
    { name: 'rho', type: 'float', low: 0.8, high: 0.99, when: { parent: 'optimizer', values: ['rmsprop'] } },
    { name: 'n_layers', type: 'int', low: 1, high: 3 },
    { name: 'units_1', type: 'int', low: 16, high: 512, log: true },
    {
      name: 'units_2',
      type: 'int',
      low: 16,
      high: 512,
      log: true,
      when: { parent: 'n_layers', values: [2, 3] },
    },
    {
      name: 'units_3',
      type: 'int',
      low: 16,
      high: 512,
      log: true,
      when: { parent: 'n_layers', values: [3] },
    },
    { name: 'dropout', type: 'float', low: 0, high: 0.5 },
    { name: 'use_wd', type: 'categorical', choices: [false, true] },
    {
      name: 'weight_decay',
      type: 'float',
      low: 1e-6,
      high: 1e-2,
      log: true,
      when: { parent: 'use_wd', values: [true] },
    },
  ],
  evaluate(p) {
    const lr = Math.log10(num(p, 'lr'));
    let opt: number;
    if (p.optimizer === 'sgd') opt = 0.02 + 0.08 * (lr - Math.log10(1 - num(p, 'momentum')) + 0.5) ** 2;
    else if (p.optimizer === 'adam') opt = 0.08 * (lr + 3 - 2 * (num(p, 'beta1') - 0.9)) ** 2;
    else opt = 0.01 + 0.08 * (lr + 3.3 + 3 * (num(p, 'rho') - 0.9)) ** 2;
    const layers = num(p, 'n_layers');
    const depth = [0.06, 0, 0.015][layers - 1] ?? 0;
    const best = [8, 7, 6];
    let units = 0;
    for (let k = 1; k <= layers; k++)
      units += 0.01 * (Math.log2(num(p, `units_${k}`)) - (best[k - 1] ?? 0)) ** 2;
    const dropout = 0.3 * (num(p, 'dropout') - (0.1 + 0.05 * (layers - 1))) ** 2;
    const wd = p.use_wd === true ? 0.01 * (Math.log10(num(p, 'weight_decay')) + 4) ** 2 : 0.015;
    return 0.3 + opt + depth + units + dropout + wd;
  },
};

/** Held out: a choice between two classic functions with their own parameters. */
const braninOrHartmann: BenchObjective = {
  name: 'branin_or_hartmann3',
  optimum: 0.397887 / 10 - 0.1,
  space: [
    { name: 'family', type: 'categorical', choices: ['branin', 'hartmann3'] },
    { name: 'b1', type: 'float', low: -5, high: 10, when: { parent: 'family', values: ['branin'] } },
    { name: 'b2', type: 'float', low: 0, high: 15, when: { parent: 'family', values: ['branin'] } },
    { name: 'h1', type: 'float', low: 0, high: 1, when: { parent: 'family', values: ['hartmann3'] } },
    { name: 'h2', type: 'float', low: 0, high: 1, when: { parent: 'family', values: ['hartmann3'] } },
    { name: 'h3', type: 'float', low: 0, high: 1, when: { parent: 'family', values: ['hartmann3'] } },
  ],
  evaluate(p) {
    if (p.family === 'branin') {
      const x1 = num(p, 'b1');
      const x2 = num(p, 'b2');
      const b = 5.1 / (4 * Math.PI ** 2);
      const c = 5 / Math.PI;
      const v = (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
      return v / 10 - 0.1;
    }
    const x = [num(p, 'h1'), num(p, 'h2'), num(p, 'h3')];
    const A = [
      [3, 10, 30],
      [0.1, 10, 35],
      [3, 10, 30],
      [0.1, 10, 35],
    ];
    const P = [
      [0.3689, 0.117, 0.2673],
      [0.4699, 0.4387, 0.747],
      [0.1091, 0.8732, 0.5547],
      [0.0381, 0.5743, 0.8828],
    ];
    const alpha = [1, 1.2, 3, 3.2];
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 3; j++) inner += (A[i]?.[j] ?? 0) * ((x[j] ?? 0) - (P[i]?.[j] ?? 0)) ** 2;
      s += (alpha[i] ?? 0) * Math.exp(-inner);
    }
    // hartmann3's minimum is -3.86278; shifted so that branin's branch holds the optimum.
    return (-s + 3.86278) / 4 + 0.05;
  },
};

/** Held out: depth k in 1..4 activates k coordinates of a shifted sphere; deeper reaches lower. */
const nestedSphere: BenchObjective = {
  name: 'nested_sphere',
  optimum: 0,
  space: [
    { name: 'depth', type: 'int', low: 1, high: 4 },
    { name: 'z1', type: 'float', low: 0, high: 1 },
    { name: 'z2', type: 'float', low: 0, high: 1, when: { parent: 'depth', values: [2, 3, 4] } },
    { name: 'z3', type: 'float', low: 0, high: 1, when: { parent: 'depth', values: [3, 4] } },
    { name: 'z4', type: 'float', low: 0, high: 1, when: { parent: 'depth', values: [4] } },
  ],
  evaluate(p) {
    const depth = num(p, 'depth');
    const centre = [0.3, 0.7, 0.45, 0.6];
    let s = 0.25 * (4 - depth);
    for (let k = 1; k <= depth; k++) s += 2 * (num(p, `z${k}`) - (centre[k - 1] ?? 0)) ** 2;
    return s;
  },
};

export const conditionalObjectives: Record<string, BenchObjective> = {
  jenatton,
  mlp_hpo: mlpHpo,
  branin_or_hartmann3: braninOrHartmann,
  nested_sphere: nestedSphere,
};
