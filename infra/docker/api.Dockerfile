# syntax=docker/dockerfile:1.7
# Posterior API image: `posterior serve` on :4000 (GraphQL over HTTP + WebSocket, /healthz, /readyz,
# /metrics). Build from the repository root: docker build -f infra/docker/api.Dockerfile -t posterior-api .
ARG NODE_IMAGE=node:20.20-bookworm-slim

# --- deps: every workspace's dev + prod dependencies, cached on the manifests alone -----------------
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

# --- build: compile the api and everything the cli's `serve` needs ----------------------------------
FROM deps AS build
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN npx turbo run build --filter=@posterior/cli... --output-logs=errors-only

# --- prod-deps: production dependencies only, for the workspaces the server runs --------------------
FROM deps AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --no-audit --no-fund \
      --include-workspace-root \
      --workspace=@posterior/optimizer --workspace=@posterior/api --workspace=@posterior/sdk \
      --workspace=@posterior/runner --workspace=@posterior/cli

# --- runtime: no compilers, no sources, non-root -------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
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
# The migration Job / compose `migrate` service entry point.
COPY --from=build --chown=node:node /app/infra/docker/migrate.mjs /app/infra/docker/migrate.mjs
# The data dir only holds caches and artifacts here: PostgreSQL is external (DATABASE_URL).
RUN mkdir -p /data && chown node:node /data
# The official image's unprivileged user (uid 1000); Kubernetes pins the same uid with runAsUser.
USER node
EXPOSE 4000
# /healthz answers while the process runs; readiness (/readyz) is the orchestrator's business.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec form: node is PID 1 and receives SIGTERM directly, so graceful shutdown drains HTTP + WebSocket.
ENTRYPOINT ["node", "--enable-source-maps", "packages/cli/dist/bin.js"]
# --host 0.0.0.0: `posterior serve` listens on loopback unless told otherwise, unreachable in a container.
CMD ["serve", "--port", "4000", "--host", "0.0.0.0"]
