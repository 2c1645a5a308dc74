import Foundation
import KubeModel
import OperatorCore
import Unstructured

/// A webhook configuration kind whose webhooks carry a `clientConfig` (validating and mutating).
protocol WebhookConfigurationObject: KubernetesObject {
    /// Each webhook's name and client configuration, in order.
    var webhookClientConfigs: [(name: String, clientConfig: WebhookClientConfig)] { get }
}

extension ValidatingWebhookConfiguration: WebhookConfigurationObject {
    var webhookClientConfigs: [(name: String, clientConfig: WebhookClientConfig)] {
        (webhooks ?? []).map { ($0.name, $0.clientConfig) }
    }
}

extension MutatingWebhookConfiguration: WebhookConfigurationObject {
    var webhookClientConfigs: [(name: String, clientConfig: WebhookClientConfig)] {
        (webhooks ?? []).map { ($0.name, $0.clientConfig) }
    }
}

/// Sets `clientConfig.caBundle` of every webhook in the named webhook configurations to the CA bundle, so
/// the API server trusts the serving certificate.
struct CABundleInjector: Sendable {
    /// What became of one configuration.
    enum Outcome: Sendable, Equatable {
        /// Every webhook already had the bundle.
        case upToDate
        /// These webhooks were patched.
        case patched([String])
        /// The configuration does not exist (yet).
        case notFound
        /// Reading or patching failed.
        case failed(String)
    }

    let api: any KubernetesAPI
    let validating: [String]
    let mutating: [String]
    let fieldManager: String

    /// Brings each configuration up to date; never throws (each outcome says what happened).
    func inject(caBundlePEM: String) async -> [(kind: String, name: String, outcome: Outcome)] {
        var outcomes: [(kind: String, name: String, outcome: Outcome)] = []
        for name in validating {
            outcomes.append((ValidatingWebhookConfiguration.kind, name,
                await inject(ValidatingWebhookConfiguration.self, name: name, bundle: Data(caBundlePEM.utf8))))
        }
        for name in mutating {
            outcomes.append((MutatingWebhookConfiguration.kind, name,
                await inject(MutatingWebhookConfiguration.self, name: name, bundle: Data(caBundlePEM.utf8))))
        }
        return outcomes
    }

    /// Patches the webhooks of one configuration whose bundle differs, with a JSON patch that first tests each
    /// webhook's name at its index (a concurrent reorder fails the patch instead of writing the wrong entry)
    /// and leaves every other field alone.
    private func inject<T: WebhookConfigurationObject>(_ type: T.Type, name: String, bundle: Data) async -> Outcome {
        let configuration: T
        do {
            configuration = try await api.get(T.self, name: name, namespace: nil)
        } catch where KubernetesErrors.isNotFound(error) {
            return .notFound
        } catch {
            return .failed("\(error)")
        }
        let encoded = JSONValue.string(bundle.base64EncodedString())
        var operations: [JSONValue] = []
        var patched: [String] = []
        for (index, webhook) in configuration.webhookClientConfigs.enumerated()
        where webhook.clientConfig.decodedCABundle != bundle {
            operations.append(["op": "test", "path": .string("/webhooks/\(index)/name"), "value": .string(webhook.name)])
            operations.append(["op": "add", "path": .string("/webhooks/\(index)/clientConfig/caBundle"), "value": encoded])
            patched.append(webhook.name)
        }
        guard !operations.isEmpty else { return .upToDate }
        do {
            _ = try await api.patch(
                T.self, name: name, namespace: nil, patch: .json(operations), subresource: nil,
                options: WriteOptions(fieldManager: fieldManager))
            return .patched(patched)
        } catch {
            return .failed("\(error)")
        }
    }
}
