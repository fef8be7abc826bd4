# syntax=docker/dockerfile:1.7
# Posterior dashboard image: Next.js on :3000. Build from the repository root:
#   docker build -f infra/docker/web.Dockerfile -t posterior-web .
# Runtime env: API_URL (the API: the dashboard proxies GraphQL, artifacts and the subscription
# WebSocket to it, so browsers talk to the dashboard's origin only); WEB_TRUST_PROXY=true behind an
# ingress that sets X-Forwarded-For. See apps/web/server.mjs and apps/web/lib/env.ts.
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
ENV TURBO_TELEMETRY_DISABLED=1 \
    NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npx turbo run build --filter=@posterior/web... --output-logs=errors-only

FROM deps AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
      --include-workspace-root --workspace=@posterior/sdk --workspace=@posterior/web

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    WEB_PORT=3000
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/packages/sdk/package.json /app/packages/sdk/
COPY --from=build --chown=node:node /app/packages/sdk/dist /app/packages/sdk/dist
COPY --from=build --chown=node:node /app/apps/web/package.json /app/apps/web/next.config.ts /app/apps/web/server.mjs /app/apps/web/
COPY --from=build --chown=node:node /app/apps/web/public /app/apps/web/public
# .next/cache is build-time only; the server writes its own image cache at run time.
COPY --from=build --chown=node:node /app/apps/web/.next /app/apps/web/.next
RUN rm -rf /app/apps/web/.next/cache && mkdir -p /app/apps/web/.next/cache \
    && chown node:node /app/apps/web/.next/cache
USER node
WORKDIR /app/apps/web
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WEB_PORT||3000)+'/').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"]
# The dashboard's server directly (not through npm), so SIGTERM reaches the server process itself.
CMD ["node", "/app/apps/web/server.mjs", "-p", "3000", "-H", "0.0.0.0"]
