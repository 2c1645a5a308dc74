import Unstructured

extension KubeSimCore {
    func versionInfo() -> JSONValue {
        [
            "major": "1", "minor": "31", "gitVersion": "v1.31.0-kubesim", "gitCommit": "kubesim",
            "gitTreeState": "clean", "buildDate": "2024-08-13T00:00:00Z", "goVersion": "go1.22.5",
            "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    private var addresses: JSONValue {
        [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress.withLock { $0 })]]
    }

    /// `/api`: APIVersions.
    func apiVersions() -> JSONValue {
        ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": addresses]
    }

    private func groups() -> [(name: String, versions: [String])] {
        var out: [(name: String, versions: [String])] = []
        for gv in registry.groupVersions() where gv.contains("/") {
            let parts = gv.split(separator: "/", maxSplits: 1).map(String.init)
            if let i = out.firstIndex(where: { $0.name == parts[0] }) {
                out[i].versions.append(parts[1])
            } else {
                out.append((parts[0], [parts[1]]))
            }
        }
        return out
    }

    private func groupJSON(_ name: String, _ versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return [
            "name": .string(name), "versions": .array(entries), "preferredVersion": entries.first ?? .null,
        ]
    }

    /// `/apis`: APIGroupList.
    func apiGroupList() -> JSONValue {
        [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(groups().map { groupJSON($0.name, $0.versions) }),
        ]
    }

    /// `/apis/{group}`: APIGroup.
    func apiGroup(_ name: String) -> JSONValue? {
        guard let g = groups().first(where: { $0.name == name }) else { return nil }
        var o = groupJSON(g.name, g.versions).objectValue!
        o["kind"] = "APIGroup"
        o["apiVersion"] = "v1"
        return .object(o)
    }

    /// `/api/v1`, `/apis/{group}/{version}`: APIResourceList, subresources included.
    func resourceList(groupVersion gv: String) -> JSONValue {
        var resources: [JSONValue] = []
        for info in registry.resources(groupVersion: gv) {
            var r: JSONObject = [
                "name": .string(info.plural), "singularName": .string(info.singular),
                "namespaced": .bool(info.namespaced), "kind": .string(info.kind),
                "verbs": .array(info.verbs.map { .string($0) }),
            ]
            if !info.shortNames.isEmpty { r["shortNames"] = .array(info.shortNames.map { .string($0) }) }
            if !info.categories.isEmpty { r["categories"] = .array(info.categories.map { .string($0) }) }
            resources.append(.object(r))
            for sub in info.subresources.sorted() {
                var s: JSONObject = [
                    "name": .string("\(info.plural)/\(sub)"), "singularName": "", "namespaced": .bool(info.namespaced),
                ]
                switch sub {
                case "status":
                    s["kind"] = .string(info.kind)
                    s["verbs"] = ["get", "patch", "update"]
                case "scale":
                    s["group"] = "autoscaling"
                    s["version"] = "v1"
                    s["kind"] = "Scale"
                    s["verbs"] = ["get", "patch", "update"]
                case "binding":
                    s["kind"] = "Binding"
                    s["verbs"] = ["create"]
                case "eviction":
                    s["group"] = "policy"
                    s["version"] = "v1"
                    s["kind"] = "Eviction"
                    s["verbs"] = ["create"]
                case "proxy":
                    s["kind"] = "NodeProxyOptions"
                    s["verbs"] = ["create", "delete", "get", "patch", "update"]
                case "token":
                    s["group"] = "authentication.k8s.io"
                    s["version"] = "v1"
                    s["kind"] = "TokenRequest"
                    s["verbs"] = ["create"]
                case "finalize":
                    s["kind"] = .string(info.kind)
                    s["verbs"] = ["update"]
                default:
                    s["kind"] = .string(info.kind)
                    s["verbs"] = ["get"]
                }
                resources.append(.object(s))
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv), "resources": .array(resources),
        ]
    }
}
