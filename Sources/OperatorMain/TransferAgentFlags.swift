import ArgumentParser
import Foundation
import KubeClient
import OperatorAssembly

/// The operator's flags for node agents (`ms2m-agent`): whether transfers use them, where they run, and how
/// the operator reaches and authenticates to them.
struct TransferAgentFlags: ParsableArguments {
    @Flag(inversion: .prefixedEnableDisable, help: "Transfer checkpoints through the node agents (ms2m-agent) when one is Ready on the source node; else always with Jobs.")
    var transferAgents = true

    @Option(help: "The agents' namespace (default: the operator's).")
    var agentNamespace: String?

    @Option(help: "The label selector of the agent pods.")
    var agentLabelSelector = "app.kubernetes.io/name=ms2m-agent"

    @Option(help: "The agents' HTTPS port.")
    var agentPort = 10260

    @Option(help: "A PEM file of the CA that signed the agents' serving certificates, e.g. /var/run/secrets/ms2m-agent/ca.crt (default: the system trust store).")
    var agentCAFile: String?

    @Option(help: "The name the agents' certificate is verified as (default: ms2m-agent.<agent namespace>.svc, their headless Service).")
    var agentTLSServerName: String?

    @Flag(help: "Do not verify the agents' serving certificates (testing only).")
    var agentInsecureSkipTLSVerify = false

    @Option(help: "A projected ServiceAccount token for the audience ms2m-agent; without the file, tokens come from the TokenRequest API.")
    var agentTokenFile = AgentTokenSources.projectedTokenFile

    @Option(help: "The operator's ServiceAccount, for TokenRequest tokens when there is no agent token file.")
    var serviceAccountName = "ms2m-controller-manager"

    /// The agent options, nil when agents are disabled. `operatorNamespace` is the flag's or $POD_NAMESPACE's;
    /// in a pod, the ServiceAccount's namespace is the mounted one.
    func options(operatorNamespace: String) -> TransferAgentOptions? {
        guard transferAgents else { return nil }
        let mounted = (try? String(contentsOfFile: ClientConfiguration.serviceAccountDirectory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let ownNamespace = mounted.flatMap { $0.isEmpty ? nil : $0 } ?? operatorNamespace
        let namespace = agentNamespace ?? ownNamespace
        return TransferAgentOptions(
            namespace: namespace, labelSelector: agentLabelSelector, port: agentPort,
            client: HTTPTransferAgents.Configuration(
                caFile: agentCAFile, serverName: agentTLSServerName ?? TransferAgentOptions.serverName(namespace: namespace),
                insecureSkipVerify: agentInsecureSkipTLSVerify),
            tokenFile: agentTokenFile, serviceAccount: serviceAccountName, serviceAccountNamespace: ownNamespace)
    }
}
