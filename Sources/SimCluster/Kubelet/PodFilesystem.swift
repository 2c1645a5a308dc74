import Foundation
import KubeModel
import OperatorCore
import Unstructured

/// Where a pod's volumes and files live on this machine. A node's filesystem is `<root>/nodes/<node>/`, so a
/// `hostPath` volume `/x` is `<root>/nodes/<node>/x`; per-pod volumes sit where the kubelet keeps them
/// (`/var/lib/kubelet/pods/<uid>/volumes/…` under the node root); persistent volume claims are
/// cluster-wide directories `<root>/persistent-volumes/<namespace>/<claim>` (network storage), and so are
/// `hostPath` volumes under one of `sharedHostPaths` (``SimClusterConfiguration/sharedHostPaths``): those are
/// the same local path on every node.
struct PodFilesystem: Sendable {
    var clusterRoot: String
    var nodeRoot: String
    var pod: Pod
    /// Local paths shared by every node (``SimClusterConfiguration/sharedHostPaths``).
    var sharedHostPaths: [String] = []

    private var uid: String { pod.metadata.uid ?? "\(pod.metadata.namespace ?? "default")_\(pod.metadata.name ?? "")" }

    /// The node-path `path` as a local path (`/var/x` → `<node root>/var/x`).
    static func local(nodeRoot: String, _ path: String) -> String {
        path.hasPrefix("/") ? nodeRoot + path : nodeRoot + "/" + path
    }

    /// The local path of the host path `path` on this node: `path` itself when it is at or under a shared
    /// path, else under the node root.
    func hostPath(_ path: String) -> String {
        for shared in sharedHostPaths {
            var prefix = shared
            while prefix.count > 1 && prefix.hasSuffix("/") { prefix.removeLast() }
            if path == prefix || path.hasPrefix(prefix == "/" ? "/" : prefix + "/") { return path }
        }
        return Self.local(nodeRoot: nodeRoot, path)
    }

    /// The pod's directory under the node root.
    var podDirectory: String { Self.local(nodeRoot: nodeRoot, "/var/lib/kubelet/pods/\(uid)") }

    /// The local file standing for a container's `terminationMessagePath`.
    func terminationMessageFile(container: String) -> String {
        podDirectory + "/containers/\(container)/termination-log"
    }

    /// The local directory of the pod's volume `name`, or nil when the pod has no such volume.
    func directory(ofVolume name: String) -> String? {
        guard let volume = pod.spec?.volumes?.first(where: { $0.name == name }) else { return nil }
        if let path = volume.hostPath?["path"]?.stringValue { return hostPath(path) }
        if let claim = volume.claimName {
            return clusterRoot + "/persistent-volumes/\(pod.metadata.namespace ?? "default")/\(claim)"
        }
        let plugin: String
        switch volume.sourceKind {
        case "emptyDir": plugin = "kubernetes.io~empty-dir"
        case "secret": plugin = "kubernetes.io~secret"
        case "configMap": plugin = "kubernetes.io~configmap"
        case "projected": plugin = "kubernetes.io~projected"
        case "downwardAPI": plugin = "kubernetes.io~downward-api"
        default: plugin = "kubernetes.io~\(volume.sourceKind ?? "unknown")"
        }
        return podDirectory + "/volumes/\(plugin)/\(name)"
    }

    /// Mount path → local directory for a container's volume mounts (subPath applied), longest path first.
    func mounts(of container: Container) -> [(mountPath: String, local: String)] {
        var result: [(String, String)] = []
        for mount in container.volumeMounts ?? [] {
            guard var local = directory(ofVolume: mount.name) else { continue }
            if let sub = mount.subPath, !sub.isEmpty { local += "/" + sub }
            var path = mount.mountPath
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            result.append((path, local))
        }
        return result.sorted { $0.0.count > $1.0.count }
    }

    /// Creates every volume directory and the termination message files (of init containers too), and writes the files of secret and
    /// configMap volumes (read through `api`). Throws when a required Secret or ConfigMap is missing.
    func prepare(api: any KubernetesReading) async throws {
        let fm = FileManager.default
        let namespace = pod.metadata.namespace ?? "default"
        for volume in pod.spec?.volumes ?? [] {
            guard let dir = directory(ofVolume: volume.name) else { continue }
            if let type = volume.hostPath?["type"]?.stringValue, type == "File" || type == "FileOrCreate" {
                try fm.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if !fm.fileExists(atPath: dir) { fm.createFile(atPath: dir, contents: Data()) }
                continue
            }
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var files: [String: Data] = [:]
            var items: [(key: String, path: String)]?
            if let secret = volume.secret {
                let name = secret["secretName"]?.stringValue ?? ""
                items = Self.items(secret)
                do {
                    let object = try await api.get(Secret.self, name: name, namespace: namespace)
                    for key in (object.data ?? [:]).keys { files[key] = object.decodedData(key) }
                    for (key, value) in object.stringData ?? [:] where files[key] == nil { files[key] = Data(value.utf8) }
                } catch where KubernetesErrors.isNotFound(error) && secret["optional"]?.boolValue == true {}
            } else if let configMap = volume.configMap {
                let name = configMap["name"]?.stringValue ?? ""
                items = Self.items(configMap)
                do {
                    let object = try await api.get(ConfigMap.self, name: name, namespace: namespace)
                    for (key, value) in object.data ?? [:] { files[key] = Data(value.utf8) }
                    for key in (object.binaryData ?? [:]).keys { files[key] = object.binaryData?[key].flatMap { Data(base64Encoded: $0) } }
                } catch where KubernetesErrors.isNotFound(error) && configMap["optional"]?.boolValue == true {}
            }
            let selected = items ?? files.keys.sorted().map { ($0, $0) }
            for (key, path) in selected {
                guard let data = files[key] else { continue }
                let file = dir + "/" + path
                try fm.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try data.write(to: URL(fileURLWithPath: file))
            }
        }
        for container in pod.spec?.allContainers ?? [] {
            let file = terminationMessageFile(container: container.name)
            try fm.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
    }

    private static func items(_ source: JSONValue) -> [(key: String, path: String)]? {
        guard let list = source["items"]?.arrayValue, !list.isEmpty else { return nil }
        return list.compactMap { item in
            guard let key = item["key"]?.stringValue else { return nil }
            return (key, item["path"]?.stringValue ?? key)
        }
    }
}
