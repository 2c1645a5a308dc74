/// The desired state of a stateful set (apps/v1 `StatefulSetSpec`).
public struct StatefulSetSpec: Codable, Hashable, Sendable {
    /// The desired number of pods (default 1).
    public var replicas: Int?
    /// Selects the pods; must match the template's labels.
    public var selector: LabelSelector
    /// The headless service giving the pods their DNS names.
    public var serviceName: String?
    /// The pods to create.
    public var template: PodTemplateSpec
    /// Claims created per pod (`<template>-<set>-<ordinal>`).
    public var volumeClaimTemplates: [PersistentVolumeClaim]?
    /// `OrderedReady` (default) or `Parallel`.
    public var podManagementPolicy: String?
    /// How pods are replaced when the template changes.
    public var updateStrategy: StatefulSetUpdateStrategy?
    /// How many old revisions to keep.
    public var revisionHistoryLimit: Int?
    /// Seconds a pod must be ready before it counts as available.
    public var minReadySeconds: Int?
    /// What happens to claims on deletion and scale-down.
    public var persistentVolumeClaimRetentionPolicy: StatefulSetPersistentVolumeClaimRetentionPolicy?
    /// The ordinal numbering of the pods.
    public var ordinals: StatefulSetOrdinals?

    /// Creates a value; every optional field defaults to absent.
    public init(
        replicas: Int? = nil,
        selector: LabelSelector,
        serviceName: String? = nil,
        template: PodTemplateSpec,
        volumeClaimTemplates: [PersistentVolumeClaim]? = nil,
        podManagementPolicy: String? = nil,
        updateStrategy: StatefulSetUpdateStrategy? = nil,
        revisionHistoryLimit: Int? = nil,
        minReadySeconds: Int? = nil,
        persistentVolumeClaimRetentionPolicy: StatefulSetPersistentVolumeClaimRetentionPolicy? = nil,
        ordinals: StatefulSetOrdinals? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.serviceName = serviceName
        self.template = template
        self.volumeClaimTemplates = volumeClaimTemplates
        self.podManagementPolicy = podManagementPolicy
        self.updateStrategy = updateStrategy
        self.revisionHistoryLimit = revisionHistoryLimit
        self.minReadySeconds = minReadySeconds
        self.persistentVolumeClaimRetentionPolicy = persistentVolumeClaimRetentionPolicy
        self.ordinals = ordinals
    }
}

/// How a stateful set replaces pods.
public struct StatefulSetUpdateStrategy: Codable, Hashable, Sendable {
    /// `RollingUpdate` (default) or `OnDelete`.
    public var type: String?
    /// Parameters of `RollingUpdate`.
    public var rollingUpdate: RollingUpdateStatefulSetStrategy?

    /// Creates a value; every optional field defaults to absent.
    public init(type: String? = nil, rollingUpdate: RollingUpdateStatefulSetStrategy? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

/// Parameters of a stateful set rolling update.
public struct RollingUpdateStatefulSetStrategy: Codable, Hashable, Sendable {
    /// Only pods with an ordinal at or above this are updated.
    public var partition: Int?
    /// How many pods may be unavailable during the update.
    public var maxUnavailable: IntOrString?

    /// Creates a value; every optional field defaults to absent.
    public init(partition: Int? = nil, maxUnavailable: IntOrString? = nil) {
        self.partition = partition
        self.maxUnavailable = maxUnavailable
    }
}

/// What happens to a stateful set's claims.
public struct StatefulSetPersistentVolumeClaimRetentionPolicy: Codable, Hashable, Sendable {
    /// `Retain` (default) or `Delete`, when the set is deleted.
    public var whenDeleted: String?
    /// `Retain` (default) or `Delete`, when the set is scaled down.
    public var whenScaled: String?

    /// Creates a value; every optional field defaults to absent.
    public init(whenDeleted: String? = nil, whenScaled: String? = nil) {
        self.whenDeleted = whenDeleted
        self.whenScaled = whenScaled
    }
}

/// The ordinal numbering of a stateful set's pods.
public struct StatefulSetOrdinals: Codable, Hashable, Sendable {
    /// The first ordinal (default 0).
    public var start: Int?

    /// Creates a value; every optional field defaults to absent.
    public init(start: Int? = nil) {
        self.start = start
    }
}
