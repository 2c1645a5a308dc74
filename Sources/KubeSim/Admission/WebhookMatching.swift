import Unstructured

/// A webhook that applies to a request, and how it sees the request: the resource and kind it is called with
/// (another served version when it matched through `matchPolicy: Equivalent`).
struct WebhookInvocation: Sendable {
    var webhook: AdmissionWebhook
    var resource: GroupVersionResource
    var subresource: String
    var kind: GroupVersionKind
}

extension AdmissionWebhook.Rule {
    /// predicates/rules: scope, operation, group, version and resource (`*`, `pods`, `pods/*`, `*/*`,
    /// `pods/eviction`; `*` alone matches main resources only).
    func matches(
        operation: AdmissionOperation, resource: GroupVersionResource, subresource: String, namespace: String
    ) -> Bool {
        let isNamespaceObject = resource.group.isEmpty && resource.version == "v1" && resource.resource == "namespaces"
        switch scope {
        case "*": break
        case "Namespaced": if isNamespaceObject || namespace.isEmpty { return false }
        case "Cluster": if !(isNamespaceObject || namespace.isEmpty) { return false }
        default: return false
        }
        guard operations.contains("*") || operations.contains(operation.rawValue) else { return false }
        guard apiGroups.contains("*") || apiGroups.contains(resource.group) else { return false }
        guard apiVersions.contains("*") || apiVersions.contains(resource.version) else { return false }
        for entry in resources {
            let res: Substring
            let sub: Substring
            if let slash = entry.firstIndex(of: "/") {
                res = entry[..<slash]
                sub = entry[entry.index(after: slash)...]
            } else {
                res = Substring(entry)
                sub = ""
            }
            if (res == "*" || res == resource.resource) && (sub == "*" || sub == subresource) { return true }
        }
        return false
    }
}

extension AdmissionWebhook {
    /// Whether some rule matches the request's resource, or (with `matchPolicy: Equivalent`) one of its other
    /// served versions: rules only, the cheap test that decides whether a request needs the admission path.
    func rulesMatch(
        operations: [AdmissionOperation], resource: GroupVersionResource, subresource: String, namespace: String,
        equivalentVersions: [String]
    ) -> Bool {
        var candidates = [resource]
        if matchEquivalent {
            for v in equivalentVersions where v != resource.version {
                candidates.append(GroupVersionResource(group: resource.group, version: v, resource: resource.resource))
            }
        }
        return rules.contains { rule in
            operations.contains { op in
                candidates.contains {
                    rule.matches(operation: op, resource: $0, subresource: subresource, namespace: namespace)
                }
            }
        }
    }
}

extension KubeSimCore {
    /// Whether any stored webhook's rules could apply to a request with these attributes.
    func webhooksMayApply(
        operations: [AdmissionOperation], resource: GroupVersionResource, subresource: String, namespace: String,
        equivalentVersions: [String]
    ) -> Bool {
        let hasConfigurations = store.state.withLock { s in
            !(s.buckets[BuiltinResources.mutatingWebhookConfigurations.id]?.keys.isEmpty ?? true)
                || !(s.buckets[BuiltinResources.validatingWebhookConfigurations.id]?.keys.isEmpty ?? true)
        }
        guard hasConfigurations else { return false }
        let hooks = webhookCache.webhooks(in: store)
        return (hooks.mutating + hooks.validating).contains {
            $0.rulesMatch(
                operations: operations, resource: resource, subresource: subresource, namespace: namespace,
                equivalentVersions: equivalentVersions)
        }
    }

    /// Whether `hook` is called for `attrs`, as kube-apiserver's ShouldCallHook decides: the namespace selector
    /// and the object selector, then the rules (the request's own version first, then equivalent versions),
    /// then the match conditions. nil skips the webhook; a thrown error fails the request.
    func invocation(of hook: AdmissionWebhook, for attrs: AdmissionAttributes) throws -> WebhookInvocation? {
        let namespaceResult = Result { try namespaceSelectorMatches(hook, attrs) }
        if case .success(false) = namespaceResult { return nil }
        let objectResult = Result { try objectSelectorMatches(hook, attrs) }
        if case .success(false) = objectResult { return nil }

        var invocation: WebhookInvocation?
        if hook.rules.contains(where: {
            $0.matches(
                operation: attrs.operation, resource: attrs.resource, subresource: attrs.subresource,
                namespace: attrs.namespace)
        }) {
            invocation = WebhookInvocation(
                webhook: hook, resource: attrs.resource, subresource: attrs.subresource, kind: attrs.kind)
        } else if hook.matchEquivalent {
            // Earlier rules first, then each equivalent version.
            outer: for rule in hook.rules {
                for version in attrs.equivalentVersions where version != attrs.resource.version {
                    var resource = attrs.resource
                    resource.version = version
                    if rule.matches(
                        operation: attrs.operation, resource: resource, subresource: attrs.subresource,
                        namespace: attrs.namespace)
                    {
                        var kind = attrs.kind
                        if attrs.objectIsResource { kind.version = version }
                        invocation = WebhookInvocation(
                            webhook: hook, resource: resource, subresource: attrs.subresource, kind: kind)
                        break outer
                    }
                }
            }
        }
        guard let invocation else { return nil }
        // Selector errors count only for webhooks whose rules match.
        _ = try namespaceResult.get()
        _ = try objectResult.get()
        if !hook.matchConditions.isEmpty, !(try matchConditionsHold(invocation, attrs)) { return nil }
        return invocation
    }

    /// predicates/namespace: cluster-scoped requests (other than on namespaces) always match; a Namespace being
    /// created or updated is matched by its own labels; everything else by its namespace's labels (404 when the
    /// namespace does not exist).
    private func namespaceSelectorMatches(_ hook: AdmissionWebhook, _ attrs: AdmissionAttributes) throws -> Bool {
        let isNamespaces = attrs.resource.group.isEmpty && attrs.resource.resource == "namespaces"
        if attrs.namespace.isEmpty && !isNamespaces { return true }
        guard let selector = hook.namespaceSelector else {
            throw APIError.internalError("invalid namespaceSelector of webhook \"\(hook.name)\"")
        }
        if selector.isEmpty { return true }
        let labels: [String: String]
        if isNamespaces && attrs.subresource.isEmpty && (attrs.operation == .create || attrs.operation == .update) {
            labels = attrs.object?.metaLabels ?? [:]
        } else {
            guard let ns = store.state.withLock({ $0.get(BuiltinResources.namespaces.id, attrs.namespace) }) else {
                throw APIError.namespaceNotFound(attrs.namespace)
            }
            labels = ns.value.metaLabels
        }
        return selector.matches(labels)
    }

    /// predicates/object: the selector must match the labels of the object or of the old object; an absent
    /// object, or one that cannot have labels (CONNECT options), does not match.
    private func objectSelectorMatches(_ hook: AdmissionWebhook, _ attrs: AdmissionAttributes) throws -> Bool {
        guard let selector = hook.objectSelector else {
            throw APIError.internalError("invalid objectSelector of webhook \"\(hook.name)\"")
        }
        if selector.isEmpty { return true }
        func matches(_ object: JSONValue?) -> Bool {
            guard let object, !object.isNull, attrs.operation != .connect else { return false }
            return selector.matches(object.metaLabels)
        }
        return matches(attrs.object) || matches(attrs.oldObject)
    }

    /// matchConditions: any false skips the webhook; errors (with none false) fail the request with 403 under
    /// failurePolicy Fail and skip the webhook under Ignore.
    private func matchConditionsHold(_ invocation: WebhookInvocation, _ attrs: AdmissionAttributes) throws -> Bool {
        let versioned = attrs.versioned(for: invocation)
        var request = attrs.requestJSON(for: invocation, uid: "")
        request["uid"] = nil
        var requestValue = CELValue(.object(request), node: nil)
        if case .map(var m) = requestValue {
            // The typed request has every field; absent strings read as "".
            for key in ["subResource", "requestSubResource", "name", "namespace"] where m[key] == nil {
                m[key] = .string("")
            }
            m["userInfo"] = attrs.user.celValue
            requestValue = .map(m)
        }
        let evaluator = CELEvaluator(bindings: [
            "object": versioned.object.map { CELValue($0, node: nil) } ?? .null,
            "oldObject": versioned.oldObject.map { CELValue($0, node: nil) } ?? .null,
            "request": requestValue,
        ])
        var errors: [String] = []
        for condition in invocation.webhook.matchConditions {
            switch condition.expression {
            case .failure(let error):
                errors.append("compilation failed for expression '\(condition.source)': \(error)")
            case .success(let expr):
                do {
                    let value = try evaluator.evaluate(expr)
                    guard case .bool(let holds) = value else {
                        errors.append(
                            "expression '\(condition.source)' resulted in error: expected a bool, got \(value.typeName)"
                        )
                        continue
                    }
                    if !holds { return false }
                } catch {
                    errors.append("expression '\(condition.source)' resulted in error: \(error)")
                }
            }
        }
        if errors.isEmpty { return true }
        if invocation.webhook.failOpen { return false }
        let aggregate = errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
        throw APIError.forbidden(attrs.resource, name: attrs.name, aggregate)
    }
}

extension APIError {
    /// 403 Forbidden for a resource named by its group/version/resource (apierrors.NewForbidden).
    static func forbidden(_ resource: GroupVersionResource, name: String, _ detail: String) -> APIError {
        let subject = name.isEmpty ? resource.qualifiedResource : "\(resource.qualifiedResource) \"\(name)\""
        var details: JSONObject = ["name": .string(name)]
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        details["kind"] = .string(resource.resource)
        return APIError(code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(detail)", details: details)
    }
}
