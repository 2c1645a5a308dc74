import Unstructured

/// The webhook part of kube-apiserver's admission chain for one request: mutating webhooks in order (their
/// JSON patches applied to `attributes.object`, with one reinvocation round for `reinvocationPolicy: IfNeeded`),
/// then validating webhooks in parallel. Collects the webhooks' warnings for the response.
struct AdmissionChain: Sendable {
    let core: KubeSimCore
    var attributes: AdmissionAttributes
    /// Warnings in the order they arrived, without repeats.
    private(set) var warnings: [String] = []

    init(core: KubeSimCore, attributes: AdmissionAttributes) {
        self.core = core
        self.attributes = attributes
    }

    private mutating func record(_ new: [String]) {
        for w in new where !w.isEmpty && !warnings.contains(w) { warnings.append(w) }
    }

    /// Runs the mutating webhooks; `attributes.object` holds the result.
    mutating func mutate() async throws {
        let hooks = core.webhookCache.webhooks(in: core.store).mutating
        if hooks.isEmpty { return }
        // Round one: every matching webhook. A webhook with reinvocationPolicy IfNeeded is called again when
        // a later webhook changed the object after it ran.
        var reinvoke = Set<Int>()
        var reinvocable: [Int] = []
        for (i, hook) in hooks.enumerated() {
            guard let invocation = try core.invocation(of: hook, for: attributes) else { continue }
            if try await callMutating(invocation) {
                reinvoke.formUnion(reinvocable)
            }
            if hook.reinvokeIfNeeded { reinvocable.append(i) }
        }
        // Round two (the admission chain is reinvoked at most once).
        for (i, hook) in hooks.enumerated() where reinvoke.contains(i) {
            guard let invocation = try core.invocation(of: hook, for: attributes) else { continue }
            _ = try await callMutating(invocation)
        }
    }

    /// Calls one mutating webhook and applies its patch; returns whether the object changed.
    private mutating func callMutating(_ invocation: WebhookInvocation) async throws -> Bool {
        let hook = invocation.webhook
        let answer: WebhookAllowed
        do throws(WebhookCallError) {
            answer = try await core.callWebhook(invocation, attributes)
        } catch {
            switch error {
            case .calling(let reason):
                if hook.failOpen { return false }
                throw APIError.internalError("failed calling webhook \"\(hook.name)\": \(reason)")
            case .status(let status, let warnings):
                record(warnings)
                throw status
            }
        }
        record(answer.warnings)
        guard let patch = answer.patch else { return false }
        guard let current = attributes.object else {
            throw APIError.internalError(
                "admission webhook \"\(hook.name)\" attempted to modify the object, which is not supported for this "
                    + "operation")
        }
        let versioned = attributes.versioned(for: invocation).object ?? current
        var patched: JSONValue
        do {
            patched = try JSONPatch.apply(patch, to: versioned)
        } catch {
            throw APIError.internalError(error.message)
        }
        guard patched.objectValue != nil else {
            throw APIError.internalError("admission webhook \"\(hook.name)\" patched the object into a non-object")
        }
        // Back to the version of the request.
        if current.objectValue != nil {
            patched["apiVersion"] = current["apiVersion"]
            patched["kind"] = current["kind"]
        }
        if patched == current { return false }
        attributes.object = patched
        return true
    }

    /// Runs the validating webhooks that match, concurrently; the first failure to arrive fails the request.
    mutating func validate() async throws {
        let hooks = core.webhookCache.webhooks(in: core.store).validating
        if hooks.isEmpty { return }
        var invocations: [WebhookInvocation] = []
        for hook in hooks {
            if let invocation = try core.invocation(of: hook, for: attributes) { invocations.append(invocation) }
        }
        if invocations.isEmpty { return }
        let core = self.core
        let attributes = self.attributes
        let outcomes = await withTaskGroup(of: (warnings: [String], error: APIError?).self) { group in
            for invocation in invocations {
                group.addTask {
                    let hook = invocation.webhook
                    do throws(WebhookCallError) {
                        return (try await core.callWebhook(invocation, attributes).warnings, nil)
                    } catch {
                        switch error {
                        case .calling(let reason):
                            if hook.failOpen { return ([], nil) }
                            return ([], APIError.internalError("failed calling webhook \"\(hook.name)\": \(reason)"))
                        case .status(let status, let warnings):
                            return (warnings, status)
                        }
                    }
                }
            }
            var all: [(warnings: [String], error: APIError?)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        for outcome in outcomes { record(outcome.warnings) }
        if let failure = outcomes.lazy.compactMap({ $0.error }).first { throw failure }
    }

    /// `response` with one `Warning: 299 - "<text>"` header per collected warning.
    func decorate(_ response: APIResponse) -> APIResponse {
        var r = response
        for w in warnings { r.headers.append(("Warning", Self.warningHeader(w))) }
        return r
    }

    /// The value of a Warning header (RFC 7234 warn-code 299, no agent), quoting `"` and `\` as the API server
    /// does.
    static func warningHeader(_ text: String) -> String {
        var quoted = "\""
        for c in text {
            if c == "\"" || c == "\\" { quoted.append("\\") }
            // Header values cannot carry line breaks.
            quoted.append(c == "\n" || c == "\r" ? " " : c)
        }
        return "299 - " + quoted + "\""
    }
}
