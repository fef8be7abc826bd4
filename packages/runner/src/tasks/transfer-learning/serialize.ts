import * as tf from '@tensorflow/tfjs';

/** A tfjs-layers model as one self-contained JSON document (topology, weight specs, base64 weights). */
export interface SerializedModel<M> {
  readonly format: typeof MODEL_FORMAT;
  readonly metadata: M;
  readonly modelTopology: unknown;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: string;
}

export const MODEL_FORMAT = 'posterior.tfjs-layers.v1';

export async function serializeModel<M>(model: tf.LayersModel, metadata: M): Promise<Uint8Array> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error('tfjs returned no model artifacts');
  }
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const doc: SerializedModel<M> = {
    format: MODEL_FORMAT,
    metadata,
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs,
    weightData: Buffer.from(data).toString('base64'),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Parses and checks the envelope; the metadata is returned as stored (the caller validates it). */
export function parseSerializedModel(bytes: Uint8Array): SerializedModel<unknown> {
  const doc: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (
    typeof doc !== 'object' ||
    doc === null ||
    !('format' in doc) ||
    doc.format !== MODEL_FORMAT ||
    !('modelTopology' in doc) ||
    !('weightSpecs' in doc) ||
    !Array.isArray(doc.weightSpecs) ||
    !('weightData' in doc) ||
    typeof doc.weightData !== 'string'
  ) {
    throw new Error(`not a ${MODEL_FORMAT} document`);
  }
  return {
    format: MODEL_FORMAT,
    metadata: 'metadata' in doc ? doc.metadata : undefined,
    modelTopology: doc.modelTopology,
    weightSpecs: doc.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: doc.weightData,
  };
}

export async function deserializeModel(bytes: Uint8Array): Promise<tf.LayersModel> {
  const doc = parseSerializedModel(bytes);
  const raw = Buffer.from(doc.weightData, 'base64');
  // Copy into a fresh ArrayBuffer: a Buffer may be a view into a larger shared pool.
  const weightData = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: doc.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: doc.weightSpecs,
      weightData,
    }),
  );
}
