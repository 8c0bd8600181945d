# Firebreak: multi-stage build on Node 24; the runtime image holds production dependencies,
# the compiled JavaScript, migrations, the catalog and the example config, and runs as the
# unprivileged `node` user (uid 1000).
#
#   docker build -t firebreak .
#   docker run --env-file .env -p 3000:3000 firebreak            # web + worker in one process
#   docker run --env-file .env firebreak migrate                 # or web | worker | check-config

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
# V8's young generation capped at 4 MB semi-spaces: an idle Firebreak holds ~20 MB less
# (bench/footprint); set NODE_OPTIONS to change it.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    HOST=0.0.0.0 \
    PORT=3000 \
    FIREBREAK_COMMANDS_DIR=/app/commands
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json firebreak.example.yaml slack-app-manifest.yaml ./
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root commands ./commands
# The local-mode console's script and stylesheet are read from src/console/assets at run time.
COPY --chown=root:root src/console/assets ./src/console/assets
# Files stay root-owned and read-only to the process.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["start"]
