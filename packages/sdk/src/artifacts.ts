import { PosteriorError } from './errors.js';
import type { RequestOptions, Transport } from './transport.js';
import type { Artifact, DownloadedFile, FileUpload } from './types.js';
import { toArtifact } from './wire.js';

// HTTP headers carry ASCII only: anything else goes percent-encoded, which the server decodes.
function headerSafe(fileName: string): string {
  return /^[\x20-\x7e]*$/.test(fileName) ? fileName : encodeURIComponent(fileName);
}

async function failure(response: Response): Promise<PosteriorError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 200) || response.statusText;
  let code: string | undefined;
  try {
    // The API answers `{ error: { code, message } }`.
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } | string };
    const error = typeof body.error === 'object' && body.error !== null ? body.error : {};
    if (typeof body.error === 'string') message = body.error;
    if (typeof error.message === 'string') message = error.message;
    if (typeof error.code === 'string') code = error.code;
  } catch {
    // plain-text error bodies are fine as they are
  }
  const byStatus: Record<number, string> = {
    400: 'BAD_USER_INPUT',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
  };
  // A 503 keeps the server's code (ARTIFACT_STORE_UNAVAILABLE: retryable as a 503, and it says what
  // failed); other 5xx stay HTTP_ERROR so the retry policy sees them as retryable whatever the body.
  const resolved =
    response.status === 503 && code !== undefined
      ? code
      : response.status >= 500
        ? 'HTTP_ERROR'
        : (code ?? byStatus[response.status] ?? 'HTTP_ERROR');
  return new PosteriorError(resolved, `artifact request failed (HTTP ${response.status}): ${message}`, {
    status: response.status,
  });
}

export async function uploadArtifact(
  transport: Transport,
  trialId: string,
  file: FileUpload,
  options?: RequestOptions,
): Promise<Artifact> {
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': file.contentType, 'x-filename': headerSafe(file.fileName) },
    body: file.data,
  };
  return transport.send(
    `/artifacts?trialId=${encodeURIComponent(trialId)}`,
    init,
    async (response) => {
      if (!response.ok) throw await failure(response);
      return toArtifact(await response.json());
    },
    options,
  );
}

function fileNameFrom(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? null;
}

export async function downloadArtifact(
  transport: Transport,
  artifactId: string,
  options?: RequestOptions,
): Promise<DownloadedFile> {
  return transport.send(
    `/artifacts/${encodeURIComponent(artifactId)}`,
    { method: 'GET' },
    async (response) => {
      if (!response.ok) throw await failure(response);
      return {
        fileName: fileNameFrom(response.headers.get('content-disposition')),
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        data: new Uint8Array(await response.arrayBuffer()),
      };
    },
    options,
  );
}
