import Synchronization
import Unstructured

/// One webhook of a stored configuration, compiled for matching and calling.
struct AdmissionWebhook: Sendable {
    enum Phase: Sendable { case mutating, validating }

    /// How the webhook is reached.
    enum Endpoint: Sendable {
        case url(String)
        case service(namespace: String, name: String, path: String, port: Int)
    }

    /// One `rules[]` entry (RuleWithOperations).
    struct Rule: Sendable {
        var operations: [String]
        var apiGroups: [String]
        var apiVersions: [String]
        var resources: [String]
        var scope: String
    }

    /// One `matchConditions[]` entry; a condition that does not compile fails when evaluated.
    struct MatchCondition: Sendable {
        var name: String
        var source: String
        var expression: Result<CELExpr, CELSyntaxError>
    }

    let phase: Phase
    let configurationName: String
    let name: String
    let rules: [Rule]
    let failOpen: Bool
    let matchEquivalent: Bool
    /// nil when the stored selector does not parse (matching then fails with an internal error).
    let namespaceSelector: LabelSelector?
    let objectSelector: LabelSelector?
    let sideEffects: String
    let timeoutSeconds: Int
    let admissionReviewVersions: [String]
    let reinvokeIfNeeded: Bool
    let endpoint: Endpoint?
    /// The PEM bundle of `clientConfig.caBundle`; nil uses the system trust store.
    let caBundle: [UInt8]?
    let matchConditions: [MatchCondition]

    /// Compiles a stored (defaulted, validated) webhook entry.
    init(_ hook: JSONValue, phase: Phase, configurationName: String) {
        self.phase = phase
        self.configurationName = configurationName
        name = hook["name"]?.stringValue ?? ""
        rules = (hook["rules"]?.arrayValue ?? []).map { r in
            func strings(_ key: String) -> [String] { r[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            return Rule(
                operations: strings("operations"), apiGroups: strings("apiGroups"), apiVersions: strings("apiVersions"),
                resources: strings("resources"), scope: r["scope"]?.stringValue ?? "*")
        }
        failOpen = hook["failurePolicy"]?.stringValue == "Ignore"
        matchEquivalent = (hook["matchPolicy"]?.stringValue ?? "Equivalent") == "Equivalent"
        namespaceSelector = LabelSelector.fromObject(hook["namespaceSelector"] ?? [:])
        objectSelector = LabelSelector.fromObject(hook["objectSelector"] ?? [:])
        sideEffects = hook["sideEffects"]?.stringValue ?? ""
        timeoutSeconds = Int(hook["timeoutSeconds"]?.intValue ?? 10)
        admissionReviewVersions = hook["admissionReviewVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        reinvokeIfNeeded = hook["reinvocationPolicy"]?.stringValue == "IfNeeded"
        let config = hook["clientConfig"]
        if let url = config?["url"]?.stringValue {
            endpoint = .url(url)
        } else if let service = config?["service"], service.objectValue != nil {
            endpoint = .service(
                namespace: service["namespace"]?.stringValue ?? "", name: service["name"]?.stringValue ?? "",
                path: service["path"]?.stringValue ?? "", port: Int(service["port"]?.intValue ?? 443))
        } else {
            endpoint = nil
        }
        if let ca = config?["caBundle"]?.stringValue, !ca.isEmpty {
            caBundle = WebhookConfigurations.decodeBase64(ca)
        } else {
            caBundle = nil
        }
        matchConditions = (hook["matchConditions"]?.arrayValue ?? []).map { c in
            let source = c["expression"]?.stringValue ?? ""
            let compiled: Result<CELExpr, CELSyntaxError>
            do throws(CELSyntaxError) {
                compiled = .success(
                    try CELParser.parse(
                        source.trimmingSpaces(), variables: WebhookConfigurations.matchConditionVariables))
            } catch {
                compiled = .failure(error)
            }
            return MatchCondition(name: c["name"]?.stringValue ?? "", source: source, expression: compiled)
        }
    }
}

/// The webhooks of the stored configurations, compiled once per configuration revision.
final class AdmissionWebhookCache: Sendable {
    private struct Entry {
        var rv: Int64
        var hooks: [AdmissionWebhook]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The mutating and validating webhooks, each in the order kube-apiserver calls them: configurations
    /// sorted by name, webhooks in their order within a configuration.
    func webhooks(in store: ObjectStore) -> (mutating: [AdmissionWebhook], validating: [AdmissionWebhook]) {
        let mutatingID = BuiltinResources.mutatingWebhookConfigurations.id
        let validatingID = BuiltinResources.validatingWebhookConfigurations.id
        let (mutating, validating) = store.state.withLock { s in
            (
                s.snapshot(mutatingID, namespace: nil, at: nil) ?? [],
                s.snapshot(validatingID, namespace: nil, at: nil) ?? []
            )
        }
        if mutating.isEmpty && validating.isEmpty { return ([], []) }
        return entries.withLock { cache in
            var fresh: [String: Entry] = [:]
            func compile(_ objects: [StoredObject], _ phase: AdmissionWebhook.Phase) -> [AdmissionWebhook] {
                var out: [AdmissionWebhook] = []
                for obj in objects.sorted(by: { $0.name < $1.name }) {
                    let key = (phase == .mutating ? "m/" : "v/") + obj.name
                    let entry: Entry
                    if let cached = cache[key], cached.rv == obj.rv {
                        entry = cached
                    } else {
                        let hooks = (obj.value["webhooks"]?.arrayValue ?? []).map {
                            AdmissionWebhook($0, phase: phase, configurationName: obj.name)
                        }
                        entry = Entry(rv: obj.rv, hooks: hooks)
                    }
                    fresh[key] = entry
                    out += entry.hooks
                }
                return out
            }
            let result = (compile(mutating, .mutating), compile(validating, .validating))
            cache = fresh
            return result
        }
    }
}
