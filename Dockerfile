# ms2m-operator: the StatefulMigration phase engine and the MigrationPolicy controller (config/manager runs it).
#
#   docker build -t <registry>/ms2m/ms2m-operator:<version> \
#     --build-arg VERSION=<version> --build-arg REVISION=$(git rev-parse HEAD) .
#
# Not built in this repository's CI: the build machines have no container engine. The file is kept correct by
# reading Package.swift: the product is `ms2m-operator` (target OperatorMain), and the C libraries it links
# come from the systemLibrary targets it reaches — CCurl (KubeClient, RegistryClient, CurlTransport), CRabbitMQ
# (AMQPBroker, and CShims, which wraps curl and librabbitmq together), CYAML (KubeClient's YAMLCodec, for
# kubeconfig files) and CZlib (RegistryClient). swift-crypto and swift-nio carry their own C code. Check the
# runtime list after a change with `ldd /usr/local/bin/ms2m-operator` in the runtime stage.
#
# Stage 1 links the Swift standard library and Foundation statically (--static-swift-stdlib), so the runtime
# stage needs only the Debian C libraries' runtime packages. libstdc++6 (for the statically linked Foundation's
# ICU) is already in debian:bookworm-slim, which needs it for apt.

ARG SWIFT_VERSION=6.1
ARG DEBIAN_CODENAME=bookworm

# ---- build ------------------------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-${DEBIAN_CODENAME} AS build
# -dev packages for the package's systemLibrary targets (CCurl, CRabbitMQ, CYAML, CZlib); pkg-config finds them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev librabbitmq-dev libyaml-dev zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so source edits do not refetch them.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
# Tests/ is copied because Package.swift declares the test targets and SwiftPM checks their directories exist.
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product ms2m-operator \
    && install -D "$(swift build -c release --show-bin-path)/ms2m-operator" /out/ms2m-operator

# ---- runtime ----------------------------------------------------------------------------------------------
FROM debian:${DEBIAN_CODENAME}-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 librabbitmq4 libyaml-0-2 zlib1g ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ms2m-operator /usr/local/bin/ms2m-operator

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="ms2m-operator" \
      org.opencontainers.image.description="Kubernetes operator that live-migrates stateful pods with CRIU checkpoints and AMQP message replay (MS2M)" \
      org.opencontainers.image.source="https://github.com/ms2m/ms2m" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# Non-root, numeric so the kubelet can verify runAsNonRoot; the root filesystem can be mounted read-only
# (the Deployment gives it an emptyDir at /tmp).
RUN useradd --system --uid 65532 --user-group --no-create-home --shell /usr/sbin/nologin ms2m
USER 65532:65532

# Probes on :8081, metrics on :8080 (config/manager/manager.yaml passes the flags).
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/ms2m-operator"]
