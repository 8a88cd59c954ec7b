# The API as a container image, for Railway (railway.toml builds with it) and any other host.
# Node.js runs the TypeScript sources directly (type stripping), so there is no compile step.
# NODE_VERSION must equal .nvmrc (scripts/deploy-config.test.ts checks it).
ARG NODE_VERSION=26.10.0

FROM node:${NODE_VERSION}-slim AS dependencies
WORKDIR /app
# Manifests only, so this layer is rebuilt only when dependencies change. npm reads every
# workspace's package.json to use the lockfile, even when it installs one workspace.
COPY package.json package-lock.json .npmrc ./
COPY api/package.json api/
COPY web/package.json web/
COPY client/package.json client/
COPY charts/package.json charts/
# The API's runtime dependencies alone: no dev tools, no web, no pinned Node (the image has it).
# None of them needs an install script.
RUN npm ci --omit=dev --workspace api --ignore-scripts && npm cache clean --force

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
COPY --from=dependencies /app/node_modules node_modules
COPY api/package.json api/
COPY api/src api/src
# The chart renderer the API shares with the web (a workspace: node_modules links to it).
COPY charts/package.json charts/
COPY charts/src charts/src
# The code stays root-owned and read-only to the server; only the embedded database's folder
# (used when DATABASE_URL is unset; mount a volume there to keep it) belongs to the `node` user.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "api/src/server.ts"]
