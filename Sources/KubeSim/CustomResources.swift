import Unstructured

/// A CRD version's compiled schema.
final class CompiledSchema: Sendable {
    let schema: StructuralSchema
    init(_ schema: StructuralSchema) { self.schema = schema }
}

extension KubeSimCore {
    static let crdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"

    /// Custom resource writes: prune unknown fields, apply defaults, validate (422 with causes).
    func admitCustom(_ info: ResourceInfo, _ obj: inout JSONValue, old: JSONValue?) throws {
        guard let compiled = info.custom?.schema else { return }
        let schema = compiled.schema
        obj = schema.applyDefaults(to: schema.prune(obj))
        let errors = schema.validate(obj, old: old)
        if errors.isEmpty { return }
        throw Self.invalidCustom(kind: info.kind, group: info.group, name: obj.metaName, errors: errors)
    }

    static func invalidCustom(kind: String, group: String, name: String, errors: [FieldError]) -> APIError {
        var details: JSONObject = ["name": .string(name)]
        if !group.isEmpty { details["group"] = .string(group) }
        details["kind"] = .string(kind)
        details["causes"] = .array(
            errors.map { e in
                let full = e.description
                let prefix = (e.field.isEmpty ? "<nil>" : e.field) + ": "
                let body = full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
                return ["reason": .string(e.type.rawValue), "message": .string(body), "field": .string(e.field)]
            })
        return APIError(
            code: 422, reason: "Invalid",
            message: InvalidObjectMessage.format(kind: kind, group: group, name: name, errors: errors),
            details: details)
    }

    /// CustomResourceDefinition create/update: validates the spec, compiles every version's schema (422 on
    /// failure), fills defaulted names and sets the status the apiextensions controllers would.
    func prepareCRD(_ crd: inout JSONValue) throws {
        let name = crd.metaName
        var problems: [FieldProblem] = []
        let group = crd[path: ["spec", "group"]]?.stringValue ?? ""
        let plural = crd[path: ["spec", "names", "plural"]]?.stringValue ?? ""
        let kind = crd[path: ["spec", "names", "kind"]]?.stringValue ?? ""
        let scope = crd[path: ["spec", "scope"]]?.stringValue ?? ""
        if group.isEmpty { problems.append(.required("spec.group")) }
        if plural.isEmpty { problems.append(.required("spec.names.plural")) }
        if kind.isEmpty { problems.append(.required("spec.names.kind")) }
        if scope != "Namespaced" && scope != "Cluster" {
            problems.append(
                FieldProblem(
                    reason: "FieldValueNotSupported", field: "spec.scope",
                    body: "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\""))
        }
        if !plural.isEmpty && !group.isEmpty && name != "\(plural).\(group)" {
            problems.append(
                .invalid("metadata.name", value: .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        let versions = crd[path: ["spec", "versions"]]?.arrayValue ?? []
        if versions.isEmpty {
            problems.append(.required("spec.versions", "must have exactly one version marked as storage version"))
        }
        let storage = versions.filter { $0["storage"]?.boolValue == true }
        if !versions.isEmpty && storage.count != 1 {
            problems.append(
                .invalid(
                    "spec.versions", value: .array(versions.map { $0["name"] ?? .null }),
                    "must have exactly one version marked as storage version"))
        }
        for (i, v) in versions.enumerated() {
            if let schema = v[path: ["schema", "openAPIV3Schema"]] {
                do {
                    _ = try StructuralSchema(openAPIV3Schema: schema)
                } catch {
                    problems.append(
                        .invalid("spec.versions[\(i)].schema.openAPIV3Schema", value: .string("..."), error.message))
                }
            } else {
                problems.append(.required("spec.versions[\(i)].schema.openAPIV3Schema", "schemas are required"))
            }
        }
        if !problems.isEmpty {
            throw APIError.invalid(
                kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: name, errors: problems)
        }
        BuiltinDefaults.setDefault(&crd, ["spec", "names", "singular"], .string(kind.lowercased()))
        BuiltinDefaults.setDefault(&crd, ["spec", "names", "listKind"], .string(kind + "List"))
        let now = Sim.timestamp()
        var conditions: [JSONValue] = [
            [
                "type": "NamesAccepted", "status": "True", "lastTransitionTime": .string(now),
                "reason": "NoConflicts", "message": "no conflicts found",
            ],
            [
                "type": "Established", "status": "True", "lastTransitionTime": .string(now),
                "reason": "InitialNamesAccepted", "message": "the initial names have been accepted",
            ],
        ]
        if crd.isDeleting {
            conditions.append([
                "type": "Terminating", "status": "True", "lastTransitionTime": .string(now),
                "reason": "InstanceDeletionInProgress", "message": "CustomResource deletion is in progress",
            ])
        }
        var stored = Set(crd[path: ["status", "storedVersions"]]?.arrayValue?.compactMap(\.stringValue) ?? [])
        if let s = storage.first?["name"]?.stringValue { stored.insert(s) }
        crd["status"] = [
            "conditions": .array(conditions), "acceptedNames": crd[path: ["spec", "names"]] ?? [:],
            "storedVersions": .array(stored.sorted().map { .string($0) }),
        ]
    }

    /// Serves (or re-serves) the versions of a stored CRD. Called under the store lock.
    func crdStored(_ crd: JSONValue) {
        let group = crd[path: ["spec", "group"]]?.stringValue ?? ""
        let names = crd[path: ["spec", "names"]] ?? [:]
        let plural = names["plural"]?.stringValue ?? ""
        let kind = names["kind"]?.stringValue ?? ""
        let versions = crd[path: ["spec", "versions"]]?.arrayValue ?? []
        let storageVersion = versions.first { $0["storage"]?.boolValue == true }?["name"]?.stringValue ?? ""
        func path(_ p: String?) -> [String]? {
            guard let p, !p.isEmpty else { return nil }
            return p.split(separator: ".").map(String.init)
        }
        var infos: [ResourceInfo] = []
        for v in versions where v["served"]?.boolValue ?? true {
            guard let vname = v["name"]?.stringValue else { continue }
            let compiled = v[path: ["schema", "openAPIV3Schema"]].flatMap { try? StructuralSchema(openAPIV3Schema: $0) }
                .map(CompiledSchema.init)
            var subs: Set<String> = []
            let hasStatus = v[path: ["subresources", "status"]] != nil
            if hasStatus { subs.insert("status") }
            var scale: ScalePaths?
            if let sc = v[path: ["subresources", "scale"]] {
                subs.insert("scale")
                scale = ScalePaths(
                    specReplicasPath: path(sc["specReplicasPath"]?.stringValue) ?? ["spec", "replicas"],
                    statusReplicasPath: path(sc["statusReplicasPath"]?.stringValue) ?? ["status", "replicas"],
                    labelSelectorPath: path(sc["labelSelectorPath"]?.stringValue))
            }
            let selectable = (v["selectableFields"]?.arrayValue ?? []).compactMap {
                $0["jsonPath"]?.stringValue.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
            }
            infos.append(
                ResourceInfo(
                    group: group, version: vname, kind: kind, plural: plural,
                    namespaced: crd[path: ["spec", "scope"]]?.stringValue == "Namespaced",
                    shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    subresources: subs, returnsDeletedObject: true,
                    custom: CustomResourceInfo(
                        crdName: crd.metaName, schema: compiled, hasStatus: hasStatus, scale: scale,
                        storageVersion: storageVersion, selectableFields: selectable),
                    singular: names["singular"]?.stringValue))
        }
        registry.setCustomResource(group: group, plural: plural, versions: infos)
    }

    /// Stops serving a removed CRD.
    func crdRemoved(_ crd: JSONValue) {
        let group = crd[path: ["spec", "group"]]?.stringValue ?? ""
        let plural = crd[path: ["spec", "names", "plural"]]?.stringValue ?? ""
        registry.setCustomResource(group: group, plural: plural, versions: [])
    }
}
