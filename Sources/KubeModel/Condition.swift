/// A status condition in the standard form (`metav1.Condition`), as custom resources and newer APIs use.
public struct Condition: Codable, Hashable, Sendable {
    /// The condition type in CamelCase, e.g. `Ready`.
    public var type: String
    /// Whether the condition holds.
    public var status: ConditionStatus
    /// The `metadata.generation` the condition was computed from.
    public var observedGeneration: Int64?
    /// When `status` last changed.
    public var lastTransitionTime: Time?
    /// A CamelCase machine-readable reason for the last transition.
    public var reason: String?
    /// A human-readable message about the transition.
    public var message: String?

    /// Creates a condition.
    public init(
        type: String,
        status: ConditionStatus,
        observedGeneration: Int64? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

extension Array where Element == Condition {
    /// The condition of the given type, if present.
    public func condition(ofType type: String) -> Condition? { first { $0.type == type } }

    /// Whether the condition of the given type is present with status `True`.
    public func isTrue(_ type: String) -> Bool { condition(ofType: type)?.status == .true }

    /// Whether the condition of the given type is present with status `False`.
    public func isFalse(_ type: String) -> Bool { condition(ofType: type)?.status == .false }

    /// Adds or updates a condition with `meta.SetStatusCondition` semantics: a new condition is appended (its
    /// `lastTransitionTime` defaulting to `now`); an existing one takes the new status, reason, message and
    /// observed generation, and its `lastTransitionTime` changes only when the status flips (to the new
    /// condition's time if set, else `now`).
    ///
    /// - Returns: whether anything changed.
    @discardableResult
    public mutating func setCondition(_ newCondition: Condition, now: Time = .now()) -> Bool {
        guard let index = firstIndex(where: { $0.type == newCondition.type }) else {
            var added = newCondition
            if added.lastTransitionTime == nil { added.lastTransitionTime = now }
            append(added)
            return true
        }
        var existing = self[index]
        var changed = false
        if existing.status != newCondition.status {
            existing.status = newCondition.status
            existing.lastTransitionTime = newCondition.lastTransitionTime ?? now
            changed = true
        }
        if existing.reason != newCondition.reason {
            existing.reason = newCondition.reason
            changed = true
        }
        if existing.message != newCondition.message {
            existing.message = newCondition.message
            changed = true
        }
        if existing.observedGeneration != newCondition.observedGeneration {
            existing.observedGeneration = newCondition.observedGeneration
            changed = true
        }
        self[index] = existing
        return changed
    }

    /// Removes the condition of the given type. Returns whether one was present.
    @discardableResult
    public mutating func removeCondition(ofType type: String) -> Bool {
        let before = count
        removeAll { $0.type == type }
        return count != before
    }
}
