import Foundation
import KubeModel
import OperatorCore
import Unstructured

/// Resolves a container's environment and command line as the kubelet does: `value` with `$(VAR)`
/// expansion, `valueFrom.fieldRef` (downward API), `secretKeyRef` and `configMapKeyRef`; then, for the
/// simulation, rewrites every path under a volume mount (in arguments and in environment values) to its local
/// directory.
struct ContainerEnvironment: Sendable {
    var pod: Pod
    var podIP: String
    var hostIP: String
    /// Mount path → local directory, longest first (``PodFilesystem/mounts(of:)``).
    var mounts: [(mountPath: String, local: String)]

    /// The resolved environment; unresolvable references fail like `CreateContainerConfigError`.
    func environment(of container: Container, api: any KubernetesReading) async throws -> [String: String] {
        var env: [String: String] = [:]
        let namespace = pod.metadata.namespace ?? "default"
        for variable in container.env ?? [] {
            if let value = variable.value {
                env[variable.name] = Self.expand(value, with: env)
            } else if let from = variable.valueFrom {
                if let field = from[path: ["fieldRef", "fieldPath"]]?.stringValue {
                    env[variable.name] = fieldValue(field) ?? ""
                } else if let ref = from["secretKeyRef"], let name = ref["name"]?.stringValue, let key = ref["key"]?.stringValue {
                    do {
                        let secret = try await api.get(Secret.self, name: name, namespace: namespace)
                        if let value = secret.string(key) { env[variable.name] = value } else if ref["optional"]?.boolValue != true {
                            throw ContainerStartError.config("couldn't find key \(key) in Secret \(namespace)/\(name)")
                        }
                    } catch where KubernetesErrors.isNotFound(error) {
                        if ref["optional"]?.boolValue != true { throw ContainerStartError.config("secret \"\(name)\" not found") }
                    }
                } else if let ref = from["configMapKeyRef"], let name = ref["name"]?.stringValue, let key = ref["key"]?.stringValue {
                    do {
                        let map = try await api.get(ConfigMap.self, name: name, namespace: namespace)
                        if let value = map.data?[key] { env[variable.name] = value } else if ref["optional"]?.boolValue != true {
                            throw ContainerStartError.config("couldn't find key \(key) in ConfigMap \(namespace)/\(name)")
                        }
                    } catch where KubernetesErrors.isNotFound(error) {
                        if ref["optional"]?.boolValue != true { throw ContainerStartError.config("configmap \"\(name)\" not found") }
                    }
                }
            } else {
                env[variable.name] = ""
            }
        }
        return env.mapValues(rewrite)
    }

    /// `command` then `args`, `$(VAR)` expanded and volume paths rewritten.
    func arguments(of container: Container, environment: [String: String]) -> [String] {
        ((container.command ?? []) + (container.args ?? [])).map { rewrite(Self.expand($0, with: environment)) }
    }

    /// The downward API value of `fieldPath`, or nil for an unsupported field.
    func fieldValue(_ fieldPath: String) -> String? {
        switch fieldPath {
        case "metadata.name": return pod.metadata.name
        case "metadata.namespace": return pod.metadata.namespace ?? "default"
        case "metadata.uid": return pod.metadata.uid
        case "spec.nodeName": return pod.spec?.nodeName
        case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? "default"
        case "status.podIP": return podIP
        case "status.podIPs": return podIP
        case "status.hostIP", "status.hostIPs": return hostIP
        default:
            for (prefix, map) in [("metadata.labels", pod.metadata.labels), ("metadata.annotations", pod.metadata.annotations)]
            where fieldPath.hasPrefix(prefix + "['") && fieldPath.hasSuffix("']") {
                let key = String(fieldPath.dropFirst(prefix.count + 2).dropLast(2))
                return map?[key] ?? ""
            }
            return nil
        }
    }

    /// A path under a mount rewritten to the local directory; also the value of `--flag=/path`.
    func rewrite(_ argument: String) -> String {
        if let local = localPath(argument) { return local }
        if let eq = argument.firstIndex(of: "="), let local = localPath(String(argument[argument.index(after: eq)...])) {
            return String(argument[...eq]) + local
        }
        return argument
    }

    private func localPath(_ path: String) -> String? {
        for (mountPath, local) in mounts {
            if path == mountPath { return local }
            if mountPath == "/" { return local + path }
            if path.hasPrefix(mountPath + "/") { return local + path.dropFirst(mountPath.count) }
        }
        return nil
    }

    /// Kubernetes `$(VAR)` expansion: known variables are replaced, `$$` is a literal `$`, unknown references
    /// stay as written.
    static func expand(_ text: String, with env: [String: String]) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == "$", next < text.endIndex {
                if text[next] == "$" {
                    out.append("$")
                    i = text.index(after: next)
                    continue
                }
                if text[next] == "(", let close = text[next...].firstIndex(of: ")") {
                    let name = String(text[text.index(after: next)..<close])
                    if let value = env[name] {
                        out += value
                        i = text.index(after: close)
                        continue
                    }
                }
            }
            out.append(c)
            i = next
        }
        return out
    }
}

/// Why a container could not be started, with the waiting reason the kubelet reports.
struct ContainerStartError: Error, Sendable, Equatable {
    /// `CreateContainerError`, `CreateContainerConfigError`, `ErrImagePull`, …
    var reason: String
    var message: String

    static func config(_ message: String) -> ContainerStartError {
        ContainerStartError(reason: "CreateContainerConfigError", message: message)
    }
    static func create(_ message: String) -> ContainerStartError {
        ContainerStartError(reason: "CreateContainerError", message: message)
    }
    static func imagePull(_ message: String) -> ContainerStartError {
        ContainerStartError(reason: "ErrImagePull", message: message)
    }
}
