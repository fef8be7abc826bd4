import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { noteTfjsBackend } from '../run-info.js';
import { registerWasmConvFilterGrad } from './conv-filter-grad.js';

/** The TensorFlow.js namespace (tfjs-node re-exports the same API, with the native backend added). */
export type Tfjs = typeof tfjs;
export type TfjsBackend = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedTfjs {
  readonly tf: Tfjs;
  readonly backend: TfjsBackend;
}

export interface LoadTfjsOptions {
  /** Where the backend choice is logged (once per process); defaults to stderr. */
  readonly log?: (line: string) => void;
  /**
   * Backends to try, in order. The default is the platform's preference; tests and benchmarks
   * narrow it to measure one backend.
   */
  readonly order?: readonly TfjsBackend[];
}

const DEFAULT_ORDER: readonly TfjsBackend[] = ['tensorflow', 'wasm', 'cpu'];
// The backend is process-global state in tfjs, so the choice is made once and shared.
let loading: Promise<LoadedTfjs> | undefined;
let loadingOrder = '';

/**
 * Picks the fastest TensorFlow.js backend this process can run: tfjs-node (native TensorFlow) when it
 * is installed, else WebAssembly, else the pure-JavaScript cpu backend. The choice is logged.
 */
export function loadTfjs(options: LoadTfjsOptions = {}): Promise<LoadedTfjs> {
  const order = options.order ?? DEFAULT_ORDER;
  const key = order.join(',');
  if (loading && loadingOrder === key) return loading;
  loadingOrder = key;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pending = chooseBackend(order, log);
  // A failed choice must not poison later calls (e.g. a test that narrows the order).
  pending.catch(() => {
    if (loading === pending) loading = undefined;
  });
  loading = pending;
  return pending;
}

async function chooseBackend(
  order: readonly TfjsBackend[],
  log: (line: string) => void,
): Promise<LoadedTfjs> {
  const skipped: string[] = [];
  for (const backend of order) {
    const started = await tryBackend(backend);
    if (typeof started !== 'string') {
      const why = skipped.length > 0 ? ` (${skipped.join('; ')})` : '';
      log(`tfjs: using the ${backend} backend, tfjs ${started.version.tfjs}${why}`);
      noteTfjsBackend(backend, started.version.tfjs ?? null);
      return { tf: started, backend };
    }
    skipped.push(`${backend}: ${started}`);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

/** Returns the namespace whose backend is now active, or why the backend could not start. */
async function tryBackend(backend: TfjsBackend): Promise<Tfjs | string> {
  try {
    let tf: Tfjs = tfjs;
    if (backend === 'tensorflow') {
      // tfjs-node may carry its own copy of tfjs-core: activate the backend through its namespace.
      const node = await importTfjsNode();
      if (node === undefined) return 'not installed';
      tf = node;
    } else if (backend === 'wasm') {
      await registerWasm();
    }
    if (await tf.setBackend(backend)) return tf;
    return 'setBackend returned false';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

let tfjsNode: Promise<Tfjs | undefined> | undefined;

/** tfjs-node is an optional dependency whose install needs the internet: it is often absent. */
function importTfjsNode(): Promise<Tfjs | undefined> {
  tfjsNode ??= (async () => {
    // A computed specifier keeps TypeScript from requiring the package at compile time.
    const specifier = '@tensorflow/tfjs-node';
    try {
      const mod: unknown = await import(specifier);
      return isTfjs(mod) ? mod : undefined;
    } catch {
      return undefined;
    }
  })();
  return tfjsNode;
}

function isTfjs(mod: unknown): mod is Tfjs {
  return typeof mod === 'object' && mod !== null && 'setBackend' in mod && 'sequential' in mod;
}

let wasmRegistered: Promise<void> | undefined;

function registerWasm(): Promise<void> {
  wasmRegistered ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the backend finds its .wasm files beside its own dist by default; pinning the path
    // keeps that true when the code is bundled or run from another working directory.
    const require = createRequire(import.meta.url);
    const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(`${distDir}/`);
    registerWasmConvFilterGrad();
  })();
  return wasmRegistered;
}
