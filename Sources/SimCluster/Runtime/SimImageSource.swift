/// Where the simulated runtime pulls checkpoint images from.
public enum SimImageSource: Sendable {
    /// A registry: `plainHTTP` for an insecure registry, `caFile` to verify its certificate, and basic or
    /// token-flow credentials (used only when both are given).
    case registry(plainHTTP: Bool, caFile: String?, username: String?, password: String?)
    /// An OCI layout directory standing in for the registry: a reference `registry/repo:tag` is looked up by
    /// its full text as `org.opencontainers.image.ref.name`, then by its tag (or digest). Independently of the
    /// source, any reference of the form `oci:<dir>:<tag>` (or `oci:<dir>@sha256:…`) is read from that layout.
    case ociLayout(directory: String)
}
