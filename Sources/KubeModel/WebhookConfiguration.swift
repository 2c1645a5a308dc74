#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Admission webhooks the API server calls to validate requests (admissionregistration.k8s.io/v1
/// `ValidatingWebhookConfiguration`, cluster-scoped).
public struct ValidatingWebhookConfiguration: KubernetesObject, Hashable {
    public static let group = "admissionregistration.k8s.io"
    public static let version = "v1"
    public static let kind = "ValidatingWebhookConfiguration"
    public static let plural = "validatingwebhookconfigurations"
    public static let isNamespaced = false

    /// The API version; `admissionregistration.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `ValidatingWebhookConfiguration`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The webhooks, each with its own name, endpoint and rules.
    public var webhooks: [ValidatingWebhook]?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = ValidatingWebhookConfiguration.apiVersion,
        kind: String? = ValidatingWebhookConfiguration.kind,
        metadata: ObjectMeta = ObjectMeta(),
        webhooks: [ValidatingWebhook]? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.webhooks = webhooks
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case webhooks
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion =
            try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ValidatingWebhookConfiguration.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ValidatingWebhookConfiguration.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.webhooks = try c.decodeIfPresent([ValidatingWebhook].self, forKey: .webhooks)
    }
}

/// Admission webhooks the API server calls to mutate requests before they are validated and stored
/// (admissionregistration.k8s.io/v1 `MutatingWebhookConfiguration`, cluster-scoped).
public struct MutatingWebhookConfiguration: KubernetesObject, Hashable {
    public static let group = "admissionregistration.k8s.io"
    public static let version = "v1"
    public static let kind = "MutatingWebhookConfiguration"
    public static let plural = "mutatingwebhookconfigurations"
    public static let isNamespaced = false

    /// The API version; `admissionregistration.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `MutatingWebhookConfiguration`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The webhooks, each with its own name, endpoint and rules.
    public var webhooks: [MutatingWebhook]?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = MutatingWebhookConfiguration.apiVersion,
        kind: String? = MutatingWebhookConfiguration.kind,
        metadata: ObjectMeta = ObjectMeta(),
        webhooks: [MutatingWebhook]? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.webhooks = webhooks
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case webhooks
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion =
            try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? MutatingWebhookConfiguration.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? MutatingWebhookConfiguration.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.webhooks = try c.decodeIfPresent([MutatingWebhook].self, forKey: .webhooks)
    }
}

/// One validating webhook: where the API server sends `AdmissionReview`s, for which requests, and what it
/// does when the call fails.
public struct ValidatingWebhook: Codable, Hashable, Sendable {
    /// A fully qualified name, unique within the configuration, e.g. `evictions.ms2m.io`.
    public var name: String
    /// How the API server reaches the webhook and verifies its certificate.
    public var clientConfig: WebhookClientConfig
    /// The operations and resources that trigger a call; the webhook applies when any rule matches.
    public var rules: [RuleWithOperations]?
    /// What happens when the call fails or times out: `Fail` (default) or `Ignore`.
    public var failurePolicy: WebhookFailurePolicy?
    /// `Equivalent` (default) also sends requests for other versions or groups of a matched resource.
    public var matchPolicy: WebhookMatchPolicy?
    /// Limits calls to objects in namespaces whose labels match; absent matches every namespace.
    public var namespaceSelector: LabelSelector?
    /// Limits calls to objects whose labels (old or new) match; absent matches every object.
    public var objectSelector: LabelSelector?
    /// Whether calling the webhook has side effects outside the request: `None` or `NoneOnDryRun` in v1.
    public var sideEffects: SideEffectClass?
    /// The call's timeout, 1–30 seconds (default 10).
    public var timeoutSeconds: Int?
    /// The `AdmissionReview` versions the webhook understands, in order of preference (`v1`).
    public var admissionReviewVersions: [String]?
    /// CEL conditions that must all hold for the request to be sent.
    public var matchConditions: [WebhookMatchCondition]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String,
        clientConfig: WebhookClientConfig,
        rules: [RuleWithOperations]? = nil,
        failurePolicy: WebhookFailurePolicy? = nil,
        matchPolicy: WebhookMatchPolicy? = nil,
        namespaceSelector: LabelSelector? = nil,
        objectSelector: LabelSelector? = nil,
        sideEffects: SideEffectClass? = nil,
        timeoutSeconds: Int? = nil,
        admissionReviewVersions: [String]? = nil,
        matchConditions: [WebhookMatchCondition]? = nil
    ) {
        self.name = name
        self.clientConfig = clientConfig
        self.rules = rules
        self.failurePolicy = failurePolicy
        self.matchPolicy = matchPolicy
        self.namespaceSelector = namespaceSelector
        self.objectSelector = objectSelector
        self.sideEffects = sideEffects
        self.timeoutSeconds = timeoutSeconds
        self.admissionReviewVersions = admissionReviewVersions
        self.matchConditions = matchConditions
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case clientConfig
        case rules
        case failurePolicy
        case matchPolicy
        case namespaceSelector
        case objectSelector
        case sideEffects
        case timeoutSeconds
        case admissionReviewVersions
        case matchConditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        self.clientConfig = try c.decodeIfPresent(WebhookClientConfig.self, forKey: .clientConfig) ?? WebhookClientConfig()
        self.rules = try c.decodeIfPresent([RuleWithOperations].self, forKey: .rules)
        self.failurePolicy = try c.decodeIfPresent(WebhookFailurePolicy.self, forKey: .failurePolicy)
        self.matchPolicy = try c.decodeIfPresent(WebhookMatchPolicy.self, forKey: .matchPolicy)
        self.namespaceSelector = try c.decodeIfPresent(LabelSelector.self, forKey: .namespaceSelector)
        self.objectSelector = try c.decodeIfPresent(LabelSelector.self, forKey: .objectSelector)
        self.sideEffects = try c.decodeIfPresent(SideEffectClass.self, forKey: .sideEffects)
        self.timeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds)
        self.admissionReviewVersions = try c.decodeIfPresent([String].self, forKey: .admissionReviewVersions)
        self.matchConditions = try c.decodeIfPresent([WebhookMatchCondition].self, forKey: .matchConditions)
    }
}

/// One mutating webhook: a validating webhook's fields plus `reinvocationPolicy`.
public struct MutatingWebhook: Codable, Hashable, Sendable {
    /// A fully qualified name, unique within the configuration.
    public var name: String
    /// How the API server reaches the webhook and verifies its certificate.
    public var clientConfig: WebhookClientConfig
    /// The operations and resources that trigger a call; the webhook applies when any rule matches.
    public var rules: [RuleWithOperations]?
    /// What happens when the call fails or times out: `Fail` (default) or `Ignore`.
    public var failurePolicy: WebhookFailurePolicy?
    /// `Equivalent` (default) also sends requests for other versions or groups of a matched resource.
    public var matchPolicy: WebhookMatchPolicy?
    /// Limits calls to objects in namespaces whose labels match; absent matches every namespace.
    public var namespaceSelector: LabelSelector?
    /// Limits calls to objects whose labels (old or new) match; absent matches every object.
    public var objectSelector: LabelSelector?
    /// Whether calling the webhook has side effects outside the request: `None` or `NoneOnDryRun` in v1.
    public var sideEffects: SideEffectClass?
    /// The call's timeout, 1–30 seconds (default 10).
    public var timeoutSeconds: Int?
    /// The `AdmissionReview` versions the webhook understands, in order of preference (`v1`).
    public var admissionReviewVersions: [String]?
    /// CEL conditions that must all hold for the request to be sent.
    public var matchConditions: [WebhookMatchCondition]?
    /// `Never` (default) or `IfNeeded`: call again when a later mutating plugin changed the object.
    public var reinvocationPolicy: ReinvocationPolicy?

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String,
        clientConfig: WebhookClientConfig,
        rules: [RuleWithOperations]? = nil,
        failurePolicy: WebhookFailurePolicy? = nil,
        matchPolicy: WebhookMatchPolicy? = nil,
        namespaceSelector: LabelSelector? = nil,
        objectSelector: LabelSelector? = nil,
        sideEffects: SideEffectClass? = nil,
        timeoutSeconds: Int? = nil,
        admissionReviewVersions: [String]? = nil,
        matchConditions: [WebhookMatchCondition]? = nil,
        reinvocationPolicy: ReinvocationPolicy? = nil
    ) {
        self.name = name
        self.clientConfig = clientConfig
        self.rules = rules
        self.failurePolicy = failurePolicy
        self.matchPolicy = matchPolicy
        self.namespaceSelector = namespaceSelector
        self.objectSelector = objectSelector
        self.sideEffects = sideEffects
        self.timeoutSeconds = timeoutSeconds
        self.admissionReviewVersions = admissionReviewVersions
        self.matchConditions = matchConditions
        self.reinvocationPolicy = reinvocationPolicy
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case clientConfig
        case rules
        case failurePolicy
        case matchPolicy
        case namespaceSelector
        case objectSelector
        case sideEffects
        case timeoutSeconds
        case admissionReviewVersions
        case matchConditions
        case reinvocationPolicy
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        self.clientConfig = try c.decodeIfPresent(WebhookClientConfig.self, forKey: .clientConfig) ?? WebhookClientConfig()
        self.rules = try c.decodeIfPresent([RuleWithOperations].self, forKey: .rules)
        self.failurePolicy = try c.decodeIfPresent(WebhookFailurePolicy.self, forKey: .failurePolicy)
        self.matchPolicy = try c.decodeIfPresent(WebhookMatchPolicy.self, forKey: .matchPolicy)
        self.namespaceSelector = try c.decodeIfPresent(LabelSelector.self, forKey: .namespaceSelector)
        self.objectSelector = try c.decodeIfPresent(LabelSelector.self, forKey: .objectSelector)
        self.sideEffects = try c.decodeIfPresent(SideEffectClass.self, forKey: .sideEffects)
        self.timeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds)
        self.admissionReviewVersions = try c.decodeIfPresent([String].self, forKey: .admissionReviewVersions)
        self.matchConditions = try c.decodeIfPresent([WebhookMatchCondition].self, forKey: .matchConditions)
        self.reinvocationPolicy = try c.decodeIfPresent(ReinvocationPolicy.self, forKey: .reinvocationPolicy)
    }
}

/// How the API server reaches a webhook: a URL, or (usually) a Service in the cluster; and the CA bundle it
/// verifies the webhook's serving certificate with.
public struct WebhookClientConfig: Codable, Hashable, Sendable {
    /// `https://host[:port]/path` of a webhook outside the cluster; exclusive with `service`.
    public var url: String?
    /// The Service in front of the webhook; exclusive with `url`.
    public var service: WebhookServiceReference?
    /// PEM CA certificates, base64-encoded as the API sends them (`[]byte` on the wire). Absent means the API
    /// server's own trust roots.
    public var caBundle: String?

    /// Creates a value; every field defaults to absent.
    public init(url: String? = nil, service: WebhookServiceReference? = nil, caBundle: String? = nil) {
        self.url = url
        self.service = service
        self.caBundle = caBundle
    }

    /// The decoded CA bundle (PEM bytes); nil when absent or not valid base64.
    public var decodedCABundle: Data? {
        caBundle.flatMap { Data(base64Encoded: $0) }
    }

    /// Sets the CA bundle from PEM bytes, base64-encoding them.
    public mutating func setCABundle(_ pem: Data) {
        caBundle = pem.base64EncodedString()
    }
}

/// A Service a webhook is reached through (`admissionregistration/v1.ServiceReference`).
public struct WebhookServiceReference: Codable, Hashable, Sendable {
    /// The Service's namespace.
    public var namespace: String
    /// The Service's name.
    public var name: String
    /// The URL path sent with every call, e.g. `/validate-eviction`.
    public var path: String?
    /// The Service port (default 443).
    public var port: Int?

    /// Creates a value.
    public init(namespace: String, name: String, path: String? = nil, port: Int? = nil) {
        self.namespace = namespace
        self.name = name
        self.path = path
        self.port = port
    }

    private enum CodingKeys: String, CodingKey {
        case namespace
        case name
        case path
        case port
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.namespace = try c.decodeIfPresent(String.self, forKey: .namespace) ?? ""
        self.name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        self.path = try c.decodeIfPresent(String.self, forKey: .path)
        self.port = try c.decodeIfPresent(Int.self, forKey: .port)
    }
}

/// Operations on resources a webhook rule matches (`admissionregistration/v1.RuleWithOperations`).
public struct RuleWithOperations: Codable, Hashable, Sendable {
    /// `CREATE`, `UPDATE`, `DELETE`, `CONNECT`, or `*` for all.
    public var operations: [WebhookOperation]?
    /// API groups; `""` is the core group, `*` all.
    public var apiGroups: [String]?
    /// API versions; `*` all.
    public var apiVersions: [String]?
    /// Resources, optionally with a subresource: `pods`, `pods/eviction`, `*/scale`, `*`.
    public var resources: [String]?
    /// `Cluster`, `Namespaced` or `*` (default).
    public var scope: WebhookRuleScope?

    /// Creates a value; every field defaults to absent.
    public init(
        operations: [WebhookOperation]? = nil,
        apiGroups: [String]? = nil,
        apiVersions: [String]? = nil,
        resources: [String]? = nil,
        scope: WebhookRuleScope? = nil
    ) {
        self.operations = operations
        self.apiGroups = apiGroups
        self.apiVersions = apiVersions
        self.resources = resources
        self.scope = scope
    }
}

/// A CEL condition on the request (`admissionregistration/v1.MatchCondition`).
public struct WebhookMatchCondition: Codable, Hashable, Sendable {
    /// A name unique among the webhook's conditions.
    public var name: String
    /// A CEL expression over `object`, `oldObject`, `request` and `authorizer` that evaluates to a bool.
    public var expression: String

    /// Creates a value.
    public init(name: String, expression: String) {
        self.name = name
        self.expression = expression
    }
}

/// An operation a webhook rule matches.
public struct WebhookOperation: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let create: WebhookOperation = "CREATE"
    public static let update: WebhookOperation = "UPDATE"
    public static let delete: WebhookOperation = "DELETE"
    /// Connect-style subresources (`pods/exec`, …).
    public static let connect: WebhookOperation = "CONNECT"
    /// Every operation.
    public static let all: WebhookOperation = "*"
}

/// What the API server does when a webhook call fails.
public struct WebhookFailurePolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Ignore the failure and admit the request.
    public static let ignore: WebhookFailurePolicy = "Ignore"
    /// Reject the request.
    public static let fail: WebhookFailurePolicy = "Fail"
}

/// How a webhook rule matches requests for other versions of a resource.
public struct WebhookMatchPolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Only the groups, versions and resources the rules list.
    public static let exact: WebhookMatchPolicy = "Exact"
    /// Also equivalent resources in other versions or groups, converted to a version the rules list.
    public static let equivalent: WebhookMatchPolicy = "Equivalent"
}

/// Whether a webhook call has side effects outside the admitted object.
public struct SideEffectClass: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `None`: no side effects; safe for dry-run requests. (Not named `none`, which an optional's `.none`
    /// would shadow.)
    public static let noSideEffects: SideEffectClass = "None"
    /// Side effects, suppressed when the request is a dry run.
    public static let noneOnDryRun: SideEffectClass = "NoneOnDryRun"
    /// v1beta1 only: side effects; rejected by v1.
    public static let some: SideEffectClass = "Some"
    /// v1beta1 only: unknown; rejected by v1.
    public static let unknown: SideEffectClass = "Unknown"
}

/// Which objects a webhook rule matches by scope.
public struct WebhookRuleScope: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Cluster-scoped objects only.
    public static let cluster: WebhookRuleScope = "Cluster"
    /// Namespaced objects only.
    public static let namespaced: WebhookRuleScope = "Namespaced"
    /// Both.
    public static let all: WebhookRuleScope = "*"
}

/// Whether a mutating webhook is called again when later plugins changed the object.
public struct ReinvocationPolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Called once.
    public static let never: ReinvocationPolicy = "Never"
    /// Called once more if the object changed after this webhook.
    public static let ifNeeded: ReinvocationPolicy = "IfNeeded"
}
