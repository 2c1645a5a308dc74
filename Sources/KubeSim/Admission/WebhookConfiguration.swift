import Unstructured

/// `admissionregistration.k8s.io/v1` ValidatingWebhookConfiguration and MutatingWebhookConfiguration on write:
/// the v1 defaults (SetDefaults_*Webhook) and the validation kube-apiserver does (422 Invalid, with one cause per
/// field error, as pkg/apis/admissionregistration/validation words them).
enum WebhookConfigurations {
    static let group = "admissionregistration.k8s.io"

    /// Whether `info` is one of the two configuration resources (which are never themselves sent to webhooks).
    static func isConfiguration(_ info: ResourceInfo) -> Bool {
        info.group == group
            && (info.plural == "validatingwebhookconfigurations" || info.plural == "mutatingwebhookconfigurations")
    }

    static let matchConditionVariables: Set<String> = ["object", "oldObject", "request"]

    static let qualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        + "alphanumeric character"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
        + "start and end with an alphanumeric character"
    static let dns1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
        + "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
        + "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    /// Applies the defaults to every webhook, then validates the configuration.
    static func prepare(_ info: ResourceInfo, _ obj: inout JSONValue) throws {
        let mutating = info.kind == "MutatingWebhookConfiguration"
        guard let webhooksValue = obj["webhooks"], !webhooksValue.isNull else { return }
        guard var webhooks = webhooksValue.arrayValue else {
            throw undecodable(info, "webhooks: expected an array, got \(webhooksValue.typeName)")
        }
        for i in webhooks.indices {
            guard webhooks[i].objectValue != nil else {
                throw undecodable(info, "webhooks[\(i)]: expected an object, got \(webhooks[i].typeName)")
            }
            try checkTypes(info, webhooks[i], path: "webhooks[\(i)]")
            applyDefaults(&webhooks[i], mutating: mutating)
        }
        obj["webhooks"] = .array(webhooks)
        var problems: [FieldProblem] = []
        var names = Set<String>()
        for (i, hook) in webhooks.enumerated() {
            let path = "webhooks[\(i)]"
            problems += validateWebhook(hook, mutating: mutating, path: path)
            let name = hook["name"]?.stringValue ?? ""
            if !name.isEmpty && !names.insert(name).inserted {
                problems.append(.duplicate("\(path).name", value: name))
            }
        }
        if !problems.isEmpty { throw APIError.invalid(info, name: obj.metaName, errors: problems) }
    }

    /// SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook, SetDefaults_Rule, SetDefaults_ServiceReference.
    static func applyDefaults(_ hook: inout JSONValue, mutating: Bool) {
        BuiltinDefaults.setDefault(&hook, ["failurePolicy"], "Fail")
        BuiltinDefaults.setDefault(&hook, ["matchPolicy"], "Equivalent")
        BuiltinDefaults.setDefault(&hook, ["namespaceSelector"], [:])
        BuiltinDefaults.setDefault(&hook, ["objectSelector"], [:])
        BuiltinDefaults.setDefault(&hook, ["timeoutSeconds"], 10)
        if mutating { BuiltinDefaults.setDefault(&hook, ["reinvocationPolicy"], "Never") }
        if let service = hook[path: ["clientConfig", "service"]], service.objectValue != nil {
            BuiltinDefaults.setDefault(&hook, ["clientConfig", "service", "port"], 443)
        }
        if var rules = hook["rules"]?.arrayValue {
            for i in rules.indices where rules[i].objectValue != nil {
                BuiltinDefaults.setDefault(&rules[i], ["scope"], "*")
            }
            hook["rules"] = .array(rules)
        }
    }

    /// Type mismatches the JSON decoder would reject (400, before validation).
    private static func checkTypes(_ info: ResourceInfo, _ hook: JSONValue, path: String) throws {
        func expect(_ key: [String], _ type: String, _ ok: (JSONValue) -> Bool) throws {
            if let v = hook[path: key], !v.isNull, !ok(v) {
                throw undecodable(info, "\(path).\(key.joined(separator: ".")): expected \(type), got \(v.typeName)")
            }
        }
        let isString: (JSONValue) -> Bool = { $0.stringValue != nil }
        let isStringArray: (JSONValue) -> Bool = { $0.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false }
        let isInteger: (JSONValue) -> Bool = { if case .int = $0 { return true } else { return false } }
        for key in ["name", "failurePolicy", "matchPolicy", "sideEffects", "reinvocationPolicy"] {
            try expect([key], "a string", isString)
        }
        try expect(["timeoutSeconds"], "an integer", isInteger)
        try expect(["admissionReviewVersions"], "an array of strings", isStringArray)
        try expect(["clientConfig", "url"], "a string", isString)
        try expect(["clientConfig", "caBundle"], "a base64 string", isString)
        try expect(["clientConfig", "service", "port"], "an integer", isInteger)
        if let ca = hook[path: ["clientConfig", "caBundle"]]?.stringValue, !ca.isEmpty, decodeBase64(ca) == nil {
            throw undecodable(info, "\(path).clientConfig.caBundle: illegal base64 data")
        }
        for (i, rule) in (hook["rules"]?.arrayValue ?? []).enumerated() {
            for key in ["operations", "apiGroups", "apiVersions", "resources"] {
                if let v = rule[key], !v.isNull, !isStringArray(v) {
                    throw undecodable(info, "\(path).rules[\(i)].\(key): expected an array of strings")
                }
            }
        }
    }

    private static func undecodable(_ info: ResourceInfo, _ detail: String) -> APIError {
        APIError.badRequest(
            "\(info.kind) in version \"\(info.version)\" cannot be handled as a \(info.kind): \(detail)")
    }

    /// Standard base64 (Go's encoding of `[]byte`), padding required.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 == 0, !text.contains("-"), !text.contains("_") else { return nil }
        return Sim.base64Decode(text)
    }

    // MARK: Validation

    static func validateWebhook(_ hook: JSONValue, mutating: Bool, path: String) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        problems += fullyQualifiedName(hook["name"]?.stringValue ?? "", field: "\(path).name")
        for (i, rule) in (hook["rules"]?.arrayValue ?? []).enumerated() {
            problems += validateRule(rule, path: "\(path).rules[\(i)]")
        }
        if let v = hook["failurePolicy"]?.stringValue, !["Fail", "Ignore"].contains(v) {
            problems.append(.notSupported("\(path).failurePolicy", value: v, supported: ["Fail", "Ignore"]))
        }
        if let v = hook["matchPolicy"]?.stringValue, !["Equivalent", "Exact"].contains(v) {
            problems.append(.notSupported("\(path).matchPolicy", value: v, supported: ["Equivalent", "Exact"]))
        }
        if let v = hook["sideEffects"]?.stringValue {
            if !["None", "NoneOnDryRun"].contains(v) {
                problems.append(.notSupported("\(path).sideEffects", value: v, supported: ["None", "NoneOnDryRun"]))
            }
        } else {
            problems.append(.required("\(path).sideEffects", "must specify one of None, NoneOnDryRun"))
        }
        if let t = hook["timeoutSeconds"]?.intValue, t < 1 || t > 30 {
            problems.append(
                .invalid("\(path).timeoutSeconds", value: .int(t), "the timeout value must be between 1 and 30 seconds")
            )
        }
        problems += validateSelector(hook["namespaceSelector"], path: "\(path).namespaceSelector")
        problems += validateSelector(hook["objectSelector"], path: "\(path).objectSelector")
        if mutating, let v = hook["reinvocationPolicy"]?.stringValue, !["IfNeeded", "Never"].contains(v) {
            problems.append(.notSupported("\(path).reinvocationPolicy", value: v, supported: ["IfNeeded", "Never"]))
        }
        problems += validateClientConfig(hook["clientConfig"], path: "\(path).clientConfig")
        problems += validateMatchConditions(hook["matchConditions"]?.arrayValue ?? [], path: "\(path).matchConditions")
        problems += validateReviewVersions(
            hook["admissionReviewVersions"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            path: "\(path).admissionReviewVersions")
        return problems
    }

    /// utilvalidation.IsFullyQualifiedName.
    static func fullyQualifiedName(_ name: String, field: String) -> [FieldProblem] {
        if name.isEmpty { return [.required(field)] }
        if let problem = NameValidation.check(name, rule: .subdomain) {
            return [.invalid(field, value: .string(name), problem)]
        }
        if name.split(separator: ".", omittingEmptySubsequences: false).count < 3 {
            return [
                .invalid(
                    field, value: .string(name), "should be a domain with at least three segments separated by dots")
            ]
        }
        return []
    }

    static let operations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]

    static func validateRule(_ rule: JSONValue, path: String) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        let operations = rule["operations"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if operations.isEmpty { problems.append(.required("\(path).operations")) }
        if operations.count > 1 && operations.contains("*") {
            problems.append(
                listInvalid("\(path).operations", operations, "if '*' is present, must not specify other operations"))
        }
        for (i, op) in operations.enumerated() where !Self.operations.contains(op) {
            problems.append(.notSupported("\(path).operations[\(i)]", value: op, supported: Self.operations))
        }
        let groups = rule["apiGroups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if groups.isEmpty { problems.append(.required("\(path).apiGroups")) }
        if groups.count > 1 && groups.contains("*") {
            problems.append(
                listInvalid("\(path).apiGroups", groups, "if '*' is present, must not specify other API groups"))
        }
        let versions = rule["apiVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if versions.isEmpty { problems.append(.required("\(path).apiVersions")) }
        if versions.count > 1 && versions.contains("*") {
            problems.append(
                listInvalid("\(path).apiVersions", versions, "if '*' is present, must not specify other API versions"))
        }
        for (i, v) in versions.enumerated() where v.isEmpty { problems.append(.required("\(path).apiVersions[\(i)]")) }
        problems += validateResources(
            rule["resources"]?.arrayValue?.compactMap(\.stringValue) ?? [], path: "\(path).resources")
        if let scope = rule["scope"]?.stringValue, !["*", "Cluster", "Namespaced"].contains(scope) {
            problems.append(.notSupported("\(path).scope", value: scope, supported: ["*", "Cluster", "Namespaced"]))
        }
        return problems
    }

    /// The wildcard combinations `resources` may not mix (x/* with x/y, */y with x/y, */* with anything, * with
    /// plain resources).
    static func validateResources(_ resources: [String], path: String) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if resources.isEmpty { problems.append(.required(path)) }
        var wildcardSub = Set<String>()
        var wildcardRes = Set<String>()
        var hasSingleWildcard = false
        var hasPlain = false
        for (i, entry) in resources.enumerated() {
            if entry.isEmpty {
                problems.append(.required("\(path)[\(i)]"))
                continue
            }
            if entry == "*" { hasSingleWildcard = true }
            guard let slash = entry.firstIndex(of: "/") else {
                if entry != "*" { hasPlain = true }
                continue
            }
            let res = String(entry[..<slash])
            let sub = String(entry[entry.index(after: slash)...])
            if wildcardSub.contains(res) {
                problems.append(
                    .invalid(
                        "\(path)[\(i)]", value: .string(entry), "if '\(res)/*' is present, must not specify \(entry)"))
            }
            if wildcardRes.contains(sub) {
                problems.append(
                    .invalid(
                        "\(path)[\(i)]", value: .string(entry), "if '*/\(sub)' is present, must not specify \(entry)"))
            }
            if sub == "*" { wildcardSub.insert(res) }
            if res == "*" { wildcardRes.insert(sub) }
        }
        if resources.count > 1 && resources.contains("*/*") {
            problems.append(listInvalid(path, resources, "if '*/*' is present, must not specify other resources"))
        }
        if hasSingleWildcard && hasPlain {
            problems.append(
                listInvalid(path, resources, "if '*' is present, must not specify other resources without subresources")
            )
        }
        return problems
    }

    /// metav1validation.ValidateLabelSelector.
    static func validateSelector(_ selector: JSONValue?, path: String) -> [FieldProblem] {
        guard let selector, !selector.isNull else { return [] }
        guard let o = selector.objectValue else {
            return [.invalid(path, value: .string(selector.jsonString()), "must be a label selector object")]
        }
        var problems: [FieldProblem] = []
        for (i, expr) in (o["matchExpressions"]?.arrayValue ?? []).enumerated() {
            let p = "\(path).matchExpressions[\(i)]"
            let key = expr["key"]?.stringValue ?? ""
            if (try? LabelSelector.validateKey(key)) == nil {
                problems.append(
                    .invalid(
                        "\(p).key", value: .string(key),
                        qualifiedNameMessage
                    ))
            }
            let values = expr["values"]?.arrayValue ?? []
            switch expr["operator"]?.stringValue ?? "" {
            case "In", "NotIn":
                if values.isEmpty {
                    problems.append(.required("\(p).values", "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    problems.append(
                        .forbidden("\(p).values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            case let op:
                problems.append(.invalid("\(p).operator", value: .string(op), "not a valid selector operator"))
            }
        }
        for (key, value) in o["matchLabels"]?.objectValue ?? [:] {
            if (try? LabelSelector.validateKey(key)) == nil {
                problems.append(
                    .invalid(
                        "\(path).matchLabels", value: .string(key),
                        qualifiedNameMessage
                    ))
            } else if let v = value.stringValue, (try? LabelSelector.validateValue(v, key: key)) == nil {
                problems.append(
                    .invalid(
                        "\(path).matchLabels", value: .string(v),
                        labelValueMessage
                    ))
            }
        }
        return problems
    }

    /// Exactly one of url (https, with a host, no user information, query or fragment) or service.
    static func validateClientConfig(_ config: JSONValue?, path: String) -> [FieldProblem] {
        let url = config?["url"].flatMap { $0.isNull ? nil : $0.stringValue }
        let service = config?["service"].flatMap { $0.isNull ? nil : $0 }
        switch (url, service) {
        case (let url?, nil):
            return validateURL(url, field: "\(path).url")
        case (nil, let service?):
            var problems: [FieldProblem] = []
            let p = "\(path).service"
            if (service["name"]?.stringValue ?? "").isEmpty { problems.append(.required("\(p).name")) }
            if (service["namespace"]?.stringValue ?? "").isEmpty { problems.append(.required("\(p).namespace")) }
            let port = service["port"]?.intValue ?? 443
            if port < 1 || port > 65535 {
                problems.append(
                    .invalid(
                        "\(p).port", value: .int(port), "port is not valid: must be between 1 and 65535, inclusive"))
            }
            if let servicePath = service["path"]?.stringValue {
                problems += validateServicePath(servicePath, field: "\(p).path")
            }
            return problems
        default:
            return [.required(path, "exactly one of url or service is required")]
        }
    }

    static func validateURL(_ url: String, field: String) -> [FieldProblem] {
        let form = "; desired format: https://host[/path]"
        var problems: [FieldProblem] = []
        guard let parsed = WebhookURL(url) else {
            return [.required(field, "url must be a valid URL: parse \"\(url)\": invalid URL\(form)")]
        }
        if parsed.scheme != "https" {
            problems.append(
                .invalid(field, value: .string(parsed.scheme), "'https' is the only allowed URL scheme\(form)"))
        }
        if parsed.host.isEmpty { problems.append(.invalid(field, value: "", "host must be specified\(form)")) }
        if let user = parsed.userInfo {
            problems.append(.invalid(field, value: .string(user), "user information is not permitted in the URL"))
        }
        if let fragment = parsed.fragment, !fragment.isEmpty {
            problems.append(.invalid(field, value: .string(fragment), "fragments are not permitted in the URL"))
        }
        if let query = parsed.query, !query.isEmpty {
            problems.append(.invalid(field, value: .string(query), "query parameters are not permitted in the URL"))
        }
        return problems
    }

    static func validateServicePath(_ path: String, field: String) -> [FieldProblem] {
        if path.isEmpty || path == "/" { return [] }
        if path == "//" { return [.invalid(field, value: .string(path), "segment[0] may not be empty")] }
        var problems: [FieldProblem] = []
        if !path.hasPrefix("/") { problems.append(.invalid(field, value: .string(path), "must start with a '/'")) }
        var rest = Substring(path.hasPrefix("/") ? String(path.dropFirst()) : path)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        for (i, step) in rest.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            if step.isEmpty {
                problems.append(.invalid(field, value: .string(path), "segment[\(i)] may not be empty"))
            } else if !NameValidation.isSubdomain(String(step)) {
                problems.append(
                    .invalid(field, value: .string(path), "segment[\(i)]: \(NameValidation.subdomainMessage)"))
            }
        }
        return problems
    }

    static func validateMatchConditions(_ conditions: [JSONValue], path: String) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if conditions.count > 64 { problems.append(.tooMany(path, count: conditions.count, max: 64)) }
        var names = Set<String>()
        for (i, condition) in conditions.enumerated() {
            let p = "\(path)[\(i)]"
            let expression = (condition["expression"]?.stringValue ?? "").trimmingSpaces()
            if expression.isEmpty {
                problems.append(.required("\(p).expression"))
            } else {
                do {
                    _ = try CELParser.parse(expression, variables: matchConditionVariables)
                } catch {
                    problems.append(
                        .invalid(
                            "\(p).expression", value: .string(expression),
                            "compilation failed: \(error) (KubeSim evaluates a subset of CEL over object, oldObject "
                                + "and request; see Schema/CEL)"))
                }
            }
            let name = condition["name"]?.stringValue ?? ""
            if name.isEmpty {
                problems.append(.required("\(p).name"))
            } else if (try? LabelSelector.validateKey(name)) == nil {
                problems.append(
                    .invalid(
                        "\(p).name", value: .string(name),
                        qualifiedNameMessage
                    ))
            } else if !names.insert(name).inserted {
                problems.append(.duplicate("\(p).name", value: name))
            }
        }
        return problems
    }

    static func validateReviewVersions(_ versions: [String], path: String) -> [FieldProblem] {
        if versions.isEmpty { return [.required(path, "must specify one of v1, v1beta1")] }
        var problems: [FieldProblem] = []
        var seen = Set<String>()
        for (i, v) in versions.enumerated() {
            if !seen.insert(v).inserted {
                problems.append(.invalid("\(path)[\(i)]", value: .string(v), "duplicate version"))
                continue
            }
            if !NameValidation.isLabel(v) || !(v.first?.isLetter ?? false) {
                problems.append(
                    .invalid(
                        "\(path)[\(i)]", value: .string(v),
                        dns1035Message
                    ))
            }
        }
        if !versions.contains("v1") && !versions.contains("v1beta1") {
            problems.append(listInvalid(path, versions, "must include at least one of v1, v1beta1"))
        }
        return problems
    }

    /// field.Invalid for a list value, rendered as Go renders `[]string{…}`.
    private static func listInvalid(_ field: String, _ values: [String], _ detail: String) -> FieldProblem {
        let rendered = "[]string{" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
        return FieldProblem(reason: "FieldValueInvalid", field: field, body: "Invalid value: \(rendered): \(detail)")
    }
}

/// The parts of a webhook URL (scheme://[user@]host[:port][/path][?query][#fragment]).
struct WebhookURL: Sendable {
    var scheme: String
    var userInfo: String?
    /// The host without brackets for IPv6 literals.
    var host: String
    var port: Int?
    var path: String
    var query: String?
    var fragment: String?

    init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        scheme = String(text[..<schemeEnd.lowerBound]).lowercased()
        var rest = Substring(text[schemeEnd.upperBound...])
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        path = String(rest[slash...])
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { return nil }
                port = p
            } else if !after.isEmpty {
                return nil
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        } else {
            host = String(authority)
        }
    }

    /// `host:port` as it appears in a URL (IPv6 literals bracketed), with the default port left out.
    var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }
}
