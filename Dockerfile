# syntax=docker/dockerfile:1
# Echoes: one image for the web process and the workers (the command picks which).

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` finds no sources here and builds nothing; the check stage builds dist/.
COPY scripts scripts
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json vitest.config.ts ./
COPY src src
COPY migrations migrations
COPY test test
COPY bench bench
# The build fails on a type error, so a broken tree never becomes an image.
RUN npx tsc -p .
# Compiled once here; the image runs dist/ (docs/decisions/0028-compiled-once-to-dist.md).
RUN npm run build

FROM node:22-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    FFPROBE_PATH=/usr/bin/ffprobe \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=check /app/dist dist
COPY package.json ./
COPY scripts scripts
COPY views views
COPY public public
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=64", "dist/src/server.js"]
