public import Unstructured

/// A definition of a custom resource type (apiextensions.k8s.io/v1 `CustomResourceDefinition`).
public struct CustomResourceDefinition: KubernetesObject, Hashable, HasStatus {
    public static let group = "apiextensions.k8s.io"
    public static let version = "v1"
    public static let kind = "CustomResourceDefinition"
    public static let plural = "customresourcedefinitions"
    public static let isNamespaced = false

    /// The API version; `apiextensions.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `CustomResourceDefinition`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The definition.
    public var spec: CustomResourceDefinitionSpec?
    /// The observed state.
    public var status: CustomResourceDefinitionStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = CustomResourceDefinition.apiVersion,
        kind: String? = CustomResourceDefinition.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: CustomResourceDefinitionSpec? = nil,
        status: CustomResourceDefinitionStatus? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
        case status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? CustomResourceDefinition.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? CustomResourceDefinition.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(CustomResourceDefinitionSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(CustomResourceDefinitionStatus.self, forKey: .status)
    }

    /// Whether the `Established` condition is `True` (the API serves the new kind).
    public var isEstablished: Bool {
        status?.conditions?.contains { $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True" }
            ?? false
    }
}

/// The definition of a custom resource type.
public struct CustomResourceDefinitionSpec: Codable, Hashable, Sendable {
    /// The API group, e.g. `ms2m.io`.
    public var group: String
    /// The kind and resource names.
    public var names: CustomResourceDefinitionNames
    /// `Namespaced` or `Cluster`.
    public var scope: ResourceScope
    /// The served versions.
    public var versions: [CustomResourceDefinitionVersion]
    /// How versions are converted, kept raw.
    public var conversion: JSONValue?
    /// Deprecated; must be false.
    public var preserveUnknownFields: Bool?

    /// Creates a value; every optional field defaults to absent.
    public init(
        group: String,
        names: CustomResourceDefinitionNames,
        scope: ResourceScope,
        versions: [CustomResourceDefinitionVersion] = [],
        conversion: JSONValue? = nil,
        preserveUnknownFields: Bool? = nil
    ) {
        self.group = group
        self.names = names
        self.scope = scope
        self.versions = versions
        self.conversion = conversion
        self.preserveUnknownFields = preserveUnknownFields
    }

    private enum CodingKeys: String, CodingKey {
        case group
        case names
        case scope
        case versions
        case conversion
        case preserveUnknownFields
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.group = try c.decode(String.self, forKey: .group)
        self.names = try c.decode(CustomResourceDefinitionNames.self, forKey: .names)
        self.scope = try c.decode(ResourceScope.self, forKey: .scope)
        self.versions = try c.decodeIfPresent([CustomResourceDefinitionVersion].self, forKey: .versions) ?? []
        self.conversion = try c.decodeIfPresent(JSONValue.self, forKey: .conversion)
        self.preserveUnknownFields = try c.decodeIfPresent(Bool.self, forKey: .preserveUnknownFields)
    }
}

/// The names of a custom resource type.
public struct CustomResourceDefinitionNames: Codable, Hashable, Sendable {
    /// The resource name in URLs, e.g. `migrations`.
    public var plural: String
    /// The singular name, e.g. `migration`.
    public var singular: String?
    /// The kind, e.g. `Migration`.
    public var kind: String
    /// The list kind (default `<kind>List`).
    public var listKind: String?
    /// Short names for kubectl.
    public var shortNames: [String]?
    /// Groups such as `all` for kubectl.
    public var categories: [String]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        plural: String,
        singular: String? = nil,
        kind: String,
        listKind: String? = nil,
        shortNames: [String]? = nil,
        categories: [String]? = nil
    ) {
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.listKind = listKind
        self.shortNames = shortNames
        self.categories = categories
    }
}

/// Whether a custom resource is namespaced.
public struct ResourceScope: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Objects live in namespaces.
    public static let namespaced: ResourceScope = "Namespaced"
    /// Objects are cluster-wide.
    public static let cluster: ResourceScope = "Cluster"
}

/// A version of a custom resource type.
public struct CustomResourceDefinitionVersion: Codable, Hashable, Sendable {
    /// The version name, e.g. `v1alpha1`.
    public var name: String
    /// Whether the API serves this version.
    public var served: Bool
    /// Whether this is the version objects are stored in (exactly one is).
    public var storage: Bool
    /// Whether the version is deprecated.
    public var deprecated: Bool?
    /// The warning returned to clients of a deprecated version.
    public var deprecationWarning: String?
    /// The validation schema.
    public var schema: CustomResourceValidation?
    /// The status and scale subresources.
    public var subresources: CustomResourceSubresources?
    /// Extra columns for `kubectl get`.
    public var additionalPrinterColumns: [CustomResourceColumnDefinition]?
    /// Fields usable in field selectors, kept raw.
    public var selectableFields: [JSONValue]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String,
        served: Bool,
        storage: Bool,
        deprecated: Bool? = nil,
        deprecationWarning: String? = nil,
        schema: CustomResourceValidation? = nil,
        subresources: CustomResourceSubresources? = nil,
        additionalPrinterColumns: [CustomResourceColumnDefinition]? = nil,
        selectableFields: [JSONValue]? = nil
    ) {
        self.name = name
        self.served = served
        self.storage = storage
        self.deprecated = deprecated
        self.deprecationWarning = deprecationWarning
        self.schema = schema
        self.subresources = subresources
        self.additionalPrinterColumns = additionalPrinterColumns
        self.selectableFields = selectableFields
    }
}

/// The validation schema of a custom resource version.
public struct CustomResourceValidation: Codable, Hashable, Sendable {
    /// The OpenAPI v3 schema, kept raw.
    public var openAPIV3Schema: JSONValue?

    /// Creates a value; every optional field defaults to absent.
    public init(openAPIV3Schema: JSONValue? = nil) {
        self.openAPIV3Schema = openAPIV3Schema
    }
}

/// The subresources of a custom resource version.
public struct CustomResourceSubresources: Codable, Hashable, Sendable {
    /// Present (as `{}`) to enable the status subresource.
    public var status: JSONValue?
    /// Enables the scale subresource.
    public var scale: CustomResourceSubresourceScale?

    /// Creates a value; every optional field defaults to absent.
    public init(status: JSONValue? = nil, scale: CustomResourceSubresourceScale? = nil) {
        self.status = status
        self.scale = scale
    }
}

/// Where a custom resource keeps its replica counts, for the scale subresource.
public struct CustomResourceSubresourceScale: Codable, Hashable, Sendable {
    /// The JSON path of the desired replicas, e.g. `.spec.replicas`.
    public var specReplicasPath: String
    /// The JSON path of the observed replicas, e.g. `.status.replicas`.
    public var statusReplicasPath: String
    /// The JSON path of the pods' selector string, e.g. `.status.selector`.
    public var labelSelectorPath: String?

    /// Creates a value; every optional field defaults to absent.
    public init(specReplicasPath: String, statusReplicasPath: String, labelSelectorPath: String? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }
}

/// An extra column of `kubectl get` output.
public struct CustomResourceColumnDefinition: Codable, Hashable, Sendable {
    /// The column header.
    public var name: String
    /// `integer`, `number`, `string`, `boolean` or `date`.
    public var type: String
    /// An OpenAPI format.
    public var format: String?
    /// A description of the column.
    public var description: String?
    /// 0 for the default view, higher for `-o wide`.
    public var priority: Int?
    /// The JSON path of the value, e.g. `.status.phase`.
    public var jsonPath: String

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String,
        type: String,
        format: String? = nil,
        description: String? = nil,
        priority: Int? = nil,
        jsonPath: String
    ) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.jsonPath = jsonPath
    }
}

/// The observed state of a custom resource definition.
public struct CustomResourceDefinitionStatus: Codable, Hashable, Sendable {
    /// Conditions: `Established`, `NamesAccepted`, …, kept raw.
    public var conditions: [JSONValue]?
    /// The names actually accepted, kept raw.
    public var acceptedNames: JSONValue?
    /// Versions that have ever been stored.
    public var storedVersions: [String]?

    /// Creates a value; every optional field defaults to absent.
    public init(conditions: [JSONValue]? = nil, acceptedNames: JSONValue? = nil, storedVersions: [String]? = nil) {
        self.conditions = conditions
        self.acceptedNames = acceptedNames
        self.storedVersions = storedVersions
    }
}
