# syntax=docker/dockerfile:1.7
# Posterior worker image: `posterior worker`, which asks the API for trials and trains TensorFlow.js
# models (wasm backend). Build from the repository root:
#   docker build -f infra/docker/worker.Dockerfile -t posterior-worker .
# Configure with POSTERIOR_API_URL and POSTERIOR_TOKEN; pass --study ID (and --task/--objective) as args.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY tooling/typescript/package.json tooling/typescript/
COPY packages/optimizer/package.json packages/optimizer/
COPY packages/sdk/package.json packages/sdk/
COPY packages/runner/package.json packages/runner/
COPY packages/cli/package.json packages/cli/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY tests/package.json tests/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN npx turbo run build --filter=@posterior/cli... --output-logs=errors-only

# The cli package links api (for `serve`), so its production deps come along; the worker never
# starts it. Optional deps are kept: tfjs-node is used when its native build could be installed.
FROM deps AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
      --include-workspace-root \
      --workspace=@posterior/optimizer --workspace=@posterior/api --workspace=@posterior/sdk \
      --workspace=@posterior/runner --workspace=@posterior/cli

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    POSTERIOR_DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/packages/optimizer/package.json /app/packages/optimizer/
COPY --from=build --chown=node:node /app/packages/optimizer/dist /app/packages/optimizer/dist
COPY --from=build --chown=node:node /app/packages/sdk/package.json /app/packages/sdk/
COPY --from=build --chown=node:node /app/packages/sdk/dist /app/packages/sdk/dist
COPY --from=build --chown=node:node /app/packages/runner/package.json /app/packages/runner/
COPY --from=build --chown=node:node /app/packages/runner/dist /app/packages/runner/dist
COPY --from=build --chown=node:node /app/packages/cli/package.json /app/packages/cli/
COPY --from=build --chown=node:node /app/packages/cli/dist /app/packages/cli/dist
COPY --from=build --chown=node:node /app/apps/api/package.json /app/apps/api/
COPY --from=build --chown=node:node /app/apps/api/dist /app/apps/api/dist
# /data caches the digits data set features and holds checkpoints before upload.
RUN mkdir -p /data && chown node:node /data
USER node
# A worker serves no port. It is healthy when it can reach its API: a worker that cannot is idle,
# and the server's heartbeat timeout reclaims whatever trial it held.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const u=new URL(process.env.POSTERIOR_API_URL||'http://api:4000/graphql');u.pathname='/healthz';fetch(u).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "--enable-source-maps", "packages/cli/dist/bin.js", "worker"]
CMD ["--task", "transfer-learning"]
