# image-policy-webhook: the ImagePolicyWebhook backend for kube-apiserver, meant to run beside it on
# each control-plane node (host network, read-only root filesystem, unprivileged). The build stage
# compiles TypeScript; the runtime stage holds only node, dist/ and production dependencies.
#
#   docker build -t image-policy-webhook .        (or: make image)
#
# The container reads, and never writes:
#   /etc/image-policy-webhook/policy/policy.yaml   the policy (mount the directory, so edits are seen)
#   /etc/image-policy-webhook/pki/server.crt       serving certificate
#   /etc/image-policy-webhook/pki/server.key       its key: readable by UID or GID 65532
#   /etc/image-policy-webhook/pki/ca.crt           CA that signed kube-apiserver's client certificate
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script, and none gets to run one at build time.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies in a stage of their own: cached until the lockfile changes (a source edit
# does not refetch them), and faster than pruning the dev tree out of the build stage.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="image-policy-webhook" \
      org.opencontainers.image.description="Backend for kube-apiserver's ImagePolicyWebhook admission plugin: a safe image allowlist over mutual TLS" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=dependencies /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# A numeric, unnamed UID: runAsNonRoot can verify it, and no account is needed in /etc/passwd.
USER 65532:65532
EXPOSE 8443
# node itself, since the slim image has no curl; the health port is plain HTTP on loopback.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:9090/healthz',(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["serve", \
     "--policy", "/etc/image-policy-webhook/policy/policy.yaml", \
     "--tls-cert", "/etc/image-policy-webhook/pki/server.crt", \
     "--tls-key", "/etc/image-policy-webhook/pki/server.key", \
     "--client-ca", "/etc/image-policy-webhook/pki/ca.crt", \
     "--listen", "0.0.0.0:8443", \
     "--health-listen", "127.0.0.1:9090", \
     "--allowed-client-names", "kube-apiserver"]
