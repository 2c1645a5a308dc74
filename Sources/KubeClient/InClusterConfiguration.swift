public import CurlTransport
import Foundation

extension ClientConfiguration {
    /// The standard service-account mount point inside a pod.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The configuration of a pod's own service account, as client-go's `rest.InClusterConfig`:
    /// the server from `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`, the CA from `ca.crt`, the
    /// namespace from `namespace`, and the token from `token`, re-read as the kubelet rotates it.
    public static func inCluster(
        serviceAccountDirectory: String = serviceAccountDirectory,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeClientError) -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw .configuration(
                "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let directory = serviceAccountDirectory
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw .configuration("service-account token \(tokenPath) does not exist or is not readable")
        }
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        let ca = try Kubeconfig.readFile(caPath, field: "service-account CA")
        var namespace = "default"
        if let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent("namespace")) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return ClientConfiguration(
            server: "https://\(hostPart):\(port)",
            namespace: namespace,
            tls: TLSOptions(caCertificatesPEM: ca),
            credentials: .bearerTokenFile(tokenPath)
        )
    }

    /// In-cluster configuration when running in a pod, else the kubeconfig one.
    public static func automatic(context: String? = nil) throws(KubeClientError) -> ClientConfiguration {
        let environment = ProcessInfo.processInfo.environment
        if context == nil, environment["KUBERNETES_SERVICE_HOST"] != nil,
            FileManager.default.fileExists(atPath: serviceAccountDirectory + "/token")
        {
            return try inCluster()
        }
        return try fromKubeconfig(context: context)
    }
}
