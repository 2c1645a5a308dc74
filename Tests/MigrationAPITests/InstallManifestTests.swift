import Foundation
import Testing
import Unstructured
import YAMLCodec

/// The install manifests under `config/` as `kubectl apply -k config/default` would see them: every file parses,
/// every kustomization points at files that exist, the operator's RBAC has no wildcards and covers every API
/// call the operator makes, and the Deployment runs hardened with both probes.
@Suite("Install manifests")
struct InstallManifestTests {
    static let clusterRolePath = "config/rbac/role.yaml"
    static let leaderElectionRolePath = "config/rbac/leader_election_role.yaml"
    static let managerPath = "config/manager/manager.yaml"
    static let agentDaemonSetPath = "config/agent/daemonset.yaml"
    static let agentCertificatePath = "config/certmanager/agent_certificate.yaml"

    /// Every `.yaml` file under `config/`, relative to the repository root, sorted.
    static let configFiles: [String] = {
        let config = RepositoryFiles.root.appendingPathComponent("config")
        guard let walker = FileManager.default.enumerator(atPath: config.path) else { return [] }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") { paths.append("config/\(relative)") }
        }
        return paths.sorted()
    }()

    /// Every kustomization file under `config/`.
    static let kustomizations: [String] = configFiles.filter { $0.hasSuffix("/kustomization.yaml") }

    static func documents(_ path: String) throws -> [JSONValue] {
        try YAML.parseAll(RepositoryFiles.text(path))
    }

    // MARK: Parsing and kustomize

    @Test("config/ holds the CRDs, RBAC, manager, samples and the default kustomization")
    func layout() {
        for required in [
            "config/default/kustomization.yaml", "config/crd/kustomization.yaml", "config/rbac/kustomization.yaml",
            "config/manager/kustomization.yaml", "config/samples/kustomization.yaml", Self.clusterRolePath,
            Self.leaderElectionRolePath, Self.managerPath, "config/agent/kustomization.yaml", Self.agentDaemonSetPath,
            "config/agent/service.yaml", "config/rbac/agent_service_account.yaml", "config/rbac/agent_role_binding.yaml",
            Self.agentCertificatePath,
        ] {
            #expect(Self.configFiles.contains(required), "\(required) is missing")
        }
    }

    @Test("every YAML file under config/ parses into Kubernetes objects", arguments: configFiles)
    func parses(path: String) throws {
        let documents = try Self.documents(path)
        #expect(!documents.isEmpty, "\(path) has no YAML document")
        for document in documents {
            #expect(document.objectValue != nil, "\(path): a document is not a mapping")
            #expect(document["apiVersion"]?.stringValue?.isEmpty == false, "\(path): a document has no apiVersion")
            #expect(document["kind"]?.stringValue?.isEmpty == false, "\(path): a document has no kind")
            if path.hasSuffix("/kustomization.yaml") {
                #expect(document["kind"]?.stringValue == "Kustomization")
            } else {
                #expect(document[path: ["metadata", "name"]]?.stringValue?.isEmpty == false, "\(path): an object has no name")
            }
        }
    }

    @Test("every kustomization's resources exist on disk", arguments: kustomizations)
    func kustomizationResourcesExist(path: String) throws {
        let directory = path.split(separator: "/").dropLast().joined(separator: "/")
        let kustomization = try #require(try Self.documents(path).first)
        let resources = kustomization["resources"]?.arrayValue ?? []
        for entry in resources {
            let name = try #require(entry.stringValue, "\(path): a resources entry is not a string")
            let target = RepositoryFiles.root.appendingPathComponent(directory).appendingPathComponent(name).standardized
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory)
            #expect(exists, "\(path) lists \(name), which does not exist")
            if exists && isDirectory.boolValue {
                let nested = target.appendingPathComponent("kustomization.yaml").path
                #expect(FileManager.default.fileExists(atPath: nested), "\(path) lists directory \(name) without a kustomization.yaml")
            }
        }
    }

    @Test("config/default installs the CRDs, RBAC, manager and node agents into ms2m-system")
    func defaultKustomization() throws {
        let kustomization = try #require(try Self.documents("config/default/kustomization.yaml").first)
        #expect(kustomization["namespace"]?.stringValue == "ms2m-system")
        let resources = Set((kustomization["resources"]?.arrayValue ?? []).compactMap(\.stringValue))
        #expect(resources.isSuperset(of: ["../crd", "../rbac", "../manager", "../agent"]))
        let agent = try #require(try Self.documents("config/agent/kustomization.yaml").first)
        #expect(Set((agent["resources"]?.arrayValue ?? []).compactMap(\.stringValue)) == ["daemonset.yaml", "service.yaml"])
        let rbac = try #require(try Self.documents("config/rbac/kustomization.yaml").first)
        let rbacResources = Set((rbac["resources"]?.arrayValue ?? []).compactMap(\.stringValue))
        #expect(rbacResources.isSuperset(of: ["agent_service_account.yaml", "agent_role_binding.yaml"]))
    }

    @Test("the namespace enforces privileged only for the agent's sake and still warns and audits at restricted")
    func namespacePodSecurity() throws {
        let namespace = try #require(try Self.documents("config/default/namespace.yaml").first)
        let labels = namespace[path: ["metadata", "labels"]]
        #expect(labels?["pod-security.kubernetes.io/enforce"]?.stringValue == "privileged")
        #expect(labels?["pod-security.kubernetes.io/warn"]?.stringValue == "restricted")
        #expect(labels?["pod-security.kubernetes.io/audit"]?.stringValue == "restricted")
    }

    // MARK: RBAC

    /// Every Role and ClusterRole under config/rbac.
    static func roles() throws -> [(path: String, role: JSONValue)] {
        var result: [(String, JSONValue)] = []
        for path in configFiles where path.hasPrefix("config/rbac/") {
            for document in try documents(path) where ["Role", "ClusterRole"].contains(document["kind"]?.stringValue ?? "") {
                result.append((path, document))
            }
        }
        return result
    }

    @Test("no Role or ClusterRole uses a wildcard")
    func noWildcards() throws {
        let roles = try Self.roles()
        #expect(roles.count >= 2)
        for (path, role) in roles {
            for rule in role["rules"]?.arrayValue ?? [] {
                for field in ["verbs", "resources", "apiGroups", "resourceNames", "nonResourceURLs"] {
                    for value in rule[field]?.arrayValue ?? [] {
                        #expect(value.stringValue?.contains("*") == false, "\(path): \(field) contains \(value)")
                    }
                }
                #expect((rule["verbs"]?.arrayValue ?? []).isEmpty == false, "\(path): a rule has no verbs")
            }
        }
    }

    /// (API group, resource, verb) the operator's code uses, with where. Keep in step with the code: a new
    /// API call needs a row here and a rule in config/rbac/role.yaml.
    static let requiredPermissions: [(group: String, resource: String, verb: String, why: String)] = [
        ("", "pods", "get", "engine: source and target pods"),
        ("", "pods", "list", "engine: node fit, transfer Job pods; informers"),
        ("", "pods", "watch", "informer of the StatefulMigration controller"),
        ("", "pods", "create", "Restoring: the target pod"),
        ("", "pods", "delete", "source removal, rollback"),
        ("", "pods", "patch", "ReplicaSet pods: source deletion cost, target labels"),
        ("", "nodes", "list", "Pending: runtimes, node fit, target choice"),
        ("", "nodes/proxy", "create", "kubelet checkpoint POST through the node proxy"),
        ("", "secrets", "get", "broker and registry credentials"),
        ("", "resourcequotas", "list", "Pending: quota headroom"),
        ("", "persistentvolumeclaims", "list", "target choice: volume topology (Pending; policy informer)"),
        ("", "persistentvolumeclaims", "watch", "policy informer"),
        ("", "persistentvolumes", "list", "target choice: volume topology (Pending; policy informer)"),
        ("", "persistentvolumes", "watch", "policy informer"),
        ("apps", "statefulsets", "get", "Sequential"),
        ("apps", "statefulsets", "list", "informer"),
        ("apps", "statefulsets", "watch", "informer"),
        ("apps", "statefulsets", "create", "Sequential: re-created StatefulSet"),
        ("apps", "statefulsets", "delete", "Sequential: orphan delete"),
        ("apps", "replicasets", "get", "ReplicaSet pods: the owner (Pending, Finalizing)"),
        ("apps", "replicasets", "list", "ReplicaSet pods: no other set selects the target (Pending)"),
        ("batch", "jobs", "get", "Transferring"),
        ("batch", "jobs", "list", "informer"),
        ("batch", "jobs", "watch", "informer"),
        ("batch", "jobs", "create", "Transferring: the transfer Job"),
        ("batch", "jobs", "delete", "Finalizing, rollback"),
        ("events.k8s.io", "events", "create", "event recorder"),
        ("events.k8s.io", "events", "patch", "event recorder: series"),
        ("migration.ms2m.io", "statefulmigrations", "get", "reconcile"),
        ("migration.ms2m.io", "statefulmigrations", "list", "informer"),
        ("migration.ms2m.io", "statefulmigrations", "watch", "informer"),
        ("migration.ms2m.io", "statefulmigrations", "patch", "finalizer"),
        ("migration.ms2m.io", "statefulmigrations/status", "patch", "status"),
        ("migration.ms2m.io", "statefulmigrations/finalizers", "update", "owner reference of the transfer Job"),
        ("migration.ms2m.io", "statefulmigrations/transfer", "create", "node agents' SubjectAccessReview of the operator"),
        ("migration.ms2m.io", "migrationpolicies", "list", "policy informer"),
        ("migration.ms2m.io", "migrationpolicies", "watch", "policy informer"),
        ("migration.ms2m.io", "migrationpolicies/status", "patch", "policy status"),
    ]

    static func grants(_ role: JSONValue, group: String, resource: String, verb: String, name: String? = nil) -> Bool {
        (role["rules"]?.arrayValue ?? []).contains { rule in
            let groups = (rule["apiGroups"]?.arrayValue ?? []).compactMap(\.stringValue)
            let resources = (rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
            let verbs = (rule["verbs"]?.arrayValue ?? []).compactMap(\.stringValue)
            let names = (rule["resourceNames"]?.arrayValue ?? []).compactMap(\.stringValue)
            let nameMatches = names.isEmpty || (name.map(names.contains) ?? false)
            return groups.contains(group) && resources.contains(resource) && verbs.contains(verb) && nameMatches
        }
    }

    @Test("the operator's ClusterRole grants every API call the code makes")
    func clusterRoleCoversTheCode() throws {
        let role = try #require(try Self.documents(Self.clusterRolePath).first { $0["kind"]?.stringValue == "ClusterRole" })
        for required in Self.requiredPermissions {
            #expect(
                Self.grants(role, group: required.group, resource: required.resource, verb: required.verb),
                "\(Self.clusterRolePath) lacks \(required.verb) on \(required.group)/\(required.resource) (\(required.why))")
        }
    }

    @Test("the ClusterRole grants no GET through the node proxy and cannot list or watch Secrets")
    func clusterRoleStaysNarrow() throws {
        let role = try #require(try Self.documents(Self.clusterRolePath).first { $0["kind"]?.stringValue == "ClusterRole" })
        #expect(!Self.grants(role, group: "", resource: "nodes/proxy", verb: "get"))
        for verb in ["list", "watch", "create", "update", "patch", "delete"] {
            #expect(!Self.grants(role, group: "", resource: "secrets", verb: verb), "secrets \(verb) is granted")
        }
        for verb in ["create", "update", "patch", "delete"] {
            #expect(!Self.grants(role, group: "", resource: "nodes", verb: verb), "nodes \(verb) is granted")
        }
        // Agent tokens come from the projected volume, not from TokenRequest for arbitrary accounts.
        #expect(!Self.grants(role, group: "", resource: "serviceaccounts/token", verb: "create"))
    }

    @Test("the webhook: its Role reads, creates and renews only its certificate Secret; the CA bundle patch names one configuration")
    func webhookRBAC() throws {
        let documents = try Self.documents("config/rbac/webhook_role.yaml")
        let role = try #require(documents.first { $0["kind"]?.stringValue == "Role" })
        #expect(role[path: ["metadata", "namespace"]]?.stringValue == "ms2m-system")
        for verb in ["get", "update"] {
            #expect(Self.grants(role, group: "", resource: "secrets", verb: verb, name: "ms2m-webhook-server-cert"))
            #expect(!Self.grants(role, group: "", resource: "secrets", verb: verb, name: "any-other-secret"))
        }
        #expect(Self.grants(role, group: "", resource: "secrets", verb: "create"))
        for verb in ["list", "watch", "delete", "patch"] {
            #expect(!Self.grants(role, group: "", resource: "secrets", verb: verb), "secrets \(verb) is granted")
        }
        let clusterRole = try #require(documents.first { $0["kind"]?.stringValue == "ClusterRole" })
        for verb in ["get", "patch"] {
            #expect(Self.grants(
                clusterRole, group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations", verb: verb,
                name: "ms2m-eviction-webhook"))
            #expect(!Self.grants(
                clusterRole, group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations", verb: verb,
                name: "someone-elses-webhook"))
        }
        let bindings = documents.filter { ["RoleBinding", "ClusterRoleBinding"].contains($0["kind"]?.stringValue ?? "") }
        #expect(bindings.count == 2)
        for binding in bindings {
            #expect(binding[path: ["subjects"]]?.arrayValue?.first?["name"]?.stringValue == "ms2m-controller-manager")
        }
    }

    @Test("the eviction webhook: pods/eviction CREATE, Fail, NoneOnDryRun, short timeout, never the system or operator namespaces")
    func webhookConfiguration() throws {
        let configuration = try #require(try Self.documents("config/webhook/manifests.yaml").first)
        #expect(configuration["kind"]?.stringValue == "ValidatingWebhookConfiguration")
        #expect(configuration[path: ["metadata", "name"]]?.stringValue == "ms2m-eviction-webhook")
        let webhook = try #require(configuration["webhooks"]?.arrayValue?.first)
        #expect(webhook["failurePolicy"]?.stringValue == "Fail")
        #expect(webhook["sideEffects"]?.stringValue == "NoneOnDryRun")
        #expect(webhook["matchPolicy"]?.stringValue == "Equivalent")
        #expect((webhook["timeoutSeconds"]?.intValue ?? 99) <= 10)
        let rule = try #require(webhook["rules"]?.arrayValue?.first)
        #expect(rule["resources"]?.arrayValue?.compactMap(\.stringValue) == ["pods/eviction"])
        #expect(rule["operations"]?.arrayValue?.compactMap(\.stringValue) == ["CREATE"])
        let service = try #require(webhook[path: ["clientConfig", "service"]])
        #expect(service["path"]?.stringValue == "/validate-v1-pod-eviction")
        #expect(service["name"]?.stringValue == "ms2m-webhook-service" && service["namespace"]?.stringValue == "ms2m-system")
        let excluded = (webhook[path: ["namespaceSelector", "matchExpressions"]]?.arrayValue ?? [])
            .filter { $0["key"]?.stringValue == "kubernetes.io/metadata.name" && $0["operator"]?.stringValue == "NotIn" }
            .flatMap { ($0["values"]?.arrayValue ?? []).compactMap(\.stringValue) }
        #expect(Set(excluded).isSuperset(of: ["kube-system", "ms2m-system"]))
        let conditions = (webhook["matchConditions"]?.arrayValue ?? []).compactMap { $0["expression"]?.stringValue }
        #expect(conditions.contains { $0.contains("system:serviceaccount:ms2m-system:ms2m-controller-manager") })

        let serviceObject = try #require(try Self.documents("config/webhook/service.yaml").first)
        #expect(serviceObject[path: ["metadata", "name"]]?.stringValue == "ms2m-webhook-service")
        #expect(serviceObject[path: ["spec", "ports"]]?.arrayValue?.first?["targetPort"]?.stringValue == "webhook")
        let deployment = try #require(try Self.documents(Self.managerPath).first)
        let container = try #require(deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        #expect((container["ports"]?.arrayValue ?? []).contains {
            $0["name"]?.stringValue == "webhook" && $0["containerPort"]?.intValue == 9443
        })
        let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(args.contains("--webhook-bind-address"))
        let kustomization = try #require(try Self.documents("config/default/kustomization.yaml").first)
        #expect((kustomization["resources"]?.arrayValue ?? []).contains { $0.stringValue == "../webhook" })
    }

    @Test("config/certmanager: the same install with cert-manager's certificate mounted and its CA injected")
    func certManagerOverlay() throws {
        let kustomization = try #require(try Self.documents("config/certmanager/kustomization.yaml").first)
        let resources = (kustomization["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(resources.contains("../default"))
        let patches = (kustomization["patches"]?.arrayValue ?? []).compactMap { $0["patch"]?.stringValue }.joined(separator: "\n")
        #expect(patches.contains("--webhook-cert-dir=/var/run/ms2m/webhook-certificate"))
        #expect(patches.contains("cert-manager.io/inject-ca-from: ms2m-system/ms2m-serving-cert"))
        let certificate = try #require(try Self.documents("config/certmanager/certificate.yaml").first { $0["kind"]?.stringValue == "Certificate" })
        let names = (certificate[path: ["spec", "dnsNames"]]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(names.contains("ms2m-webhook-service.ms2m-system.svc"))
        let mount = try #require(try Self.documents("config/certmanager/manager_webhook_patch.yaml").first)
        let volume = mount[path: ["spec", "template", "spec", "volumes"]]?.arrayValue?.first
        #expect(volume?[path: ["secret", "secretName"]] == certificate[path: ["spec", "secretName"]])
    }

    @Test("the leader-election Role lets the replicas read, create and renew their Lease")
    func leaderElectionRole() throws {
        let role = try #require(try Self.documents(Self.leaderElectionRolePath).first)
        #expect(role["kind"]?.stringValue == "Role")
        #expect(role[path: ["metadata", "namespace"]]?.stringValue == "ms2m-system")
        for verb in ["get", "create", "update"] {
            #expect(Self.grants(role, group: "coordination.k8s.io", resource: "leases", verb: verb, name: "ms2m-operator-leader"))
        }
    }

    @Test("the bindings and the Deployment use the same ServiceAccount")
    func serviceAccountsAgree() throws {
        let account = try #require(try Self.documents("config/rbac/service_account.yaml").first)
        let name = try #require(account[path: ["metadata", "name"]]?.stringValue)
        for path in ["config/rbac/role_binding.yaml", "config/rbac/leader_election_role_binding.yaml"] {
            let binding = try #require(try Self.documents(path).first)
            let subjects = (binding["subjects"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(subjects == [name], "\(path) binds \(subjects), not \(name)")
        }
        let deployment = try #require(try Self.documents(Self.managerPath).first { $0["kind"]?.stringValue == "Deployment" })
        #expect(deployment[path: ["spec", "template", "spec", "serviceAccountName"]]?.stringValue == name)
        let transfer = try #require(try Self.documents("config/rbac/checkpoint_transfer_service_account.yaml").first)
        #expect(transfer[path: ["metadata", "name"]]?.stringValue == "ms2m-checkpoint-transfer")
        #expect(transfer["automountServiceAccountToken"]?.boolValue == false)
    }

    // MARK: The Deployment

    @Test("the manager Deployment runs non-root, read-only, without privilege escalation, with both probes")
    func managerDeployment() throws {
        let deployment = try #require(try Self.documents(Self.managerPath).first { $0["kind"]?.stringValue == "Deployment" })
        #expect((deployment[path: ["spec", "replicas"]]?.intValue ?? 0) >= 2)
        let pod = try #require(deployment[path: ["spec", "template", "spec"]])
        let containers = pod["containers"]?.arrayValue ?? []
        let manager = try #require(containers.first { $0["name"]?.stringValue == "manager" })

        let podContext = pod["securityContext"]
        let context = manager["securityContext"]
        #expect(context?["runAsNonRoot"]?.boolValue == true || podContext?["runAsNonRoot"]?.boolValue == true)
        #expect(context?["readOnlyRootFilesystem"]?.boolValue == true)
        #expect(context?["allowPrivilegeEscalation"]?.boolValue == false)
        #expect(context?[path: ["capabilities", "drop"]]?.arrayValue?.compactMap(\.stringValue) == ["ALL"])
        let seccomp = context?[path: ["seccompProfile", "type"]]?.stringValue ?? podContext?[path: ["seccompProfile", "type"]]?.stringValue
        #expect(seccomp == "RuntimeDefault")

        let ports = Dictionary(
            (manager["ports"]?.arrayValue ?? []).compactMap { port -> (String, Int64)? in
                guard let name = port["name"]?.stringValue, let number = port["containerPort"]?.intValue else { return nil }
                return (name, number)
            }, uniquingKeysWith: { a, _ in a })
        for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
            let get = try #require(manager[path: [probe, "httpGet"]], "the manager has no \(probe)")
            #expect(get["path"]?.stringValue == path)
            let port = get["port"]?.intValue ?? get["port"]?.stringValue.flatMap { ports[$0] }
            #expect(port == 8081, "\(probe) does not probe port 8081")
        }
        #expect(ports.values.contains(8080), "the metrics port 8080 is not declared")

        let args = (manager["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(args.contains("--leader-elect"))
        #expect(args.contains("--transfer-image"))
        let env = Set((manager["env"]?.arrayValue ?? []).compactMap { variable -> String? in
            guard variable[path: ["valueFrom", "fieldRef", "fieldPath"]] != nil else { return nil }
            return variable["name"]?.stringValue
        })
        #expect(env.isSuperset(of: ["POD_NAMESPACE", "POD_NAME"]))
        #expect((manager[path: ["resources", "requests"]]?.objectValue ?? [:]).isEmpty == false)
        #expect((manager[path: ["resources", "limits"]]?.objectValue ?? [:]).isEmpty == false)
    }

    // MARK: The node agent

    static func agentDaemonSet() throws -> JSONValue {
        try #require(try documents(agentDaemonSetPath).first { $0["kind"]?.stringValue == "DaemonSet" })
    }

    static func strings(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }

    /// The value following `flag` in `args` (`--flag value`), or after `=` (`--flag=value`).
    static func argument(_ flag: String, in args: [String]) -> String? {
        if let index = args.firstIndex(of: flag), index + 1 < args.count { return args[index + 1] }
        return args.first { $0.hasPrefix(flag + "=") }.map { String($0.dropFirst(flag.count + 1)) }
    }

    @Test("the agent DaemonSet: where the operator looks for it, on every node, root only with DAC_OVERRIDE and FOWNER, read-only, no host namespaces")
    func agentDaemonSetPrivileges() throws {
        let daemonSet = try Self.agentDaemonSet()
        #expect(daemonSet[path: ["metadata", "name"]]?.stringValue == "ms2m-agent")
        #expect(daemonSet[path: ["metadata", "namespace"]]?.stringValue == "ms2m-system")
        // The operator finds agents by this label in its own namespace (TransferAgentSettings).
        let selector = daemonSet[path: ["spec", "selector", "matchLabels"]]
        let labels = daemonSet[path: ["spec", "template", "metadata", "labels"]]
        #expect(labels?["app.kubernetes.io/name"]?.stringValue == "ms2m-agent")
        for (key, value) in selector?.objectValue ?? [:] {
            #expect(labels?[key] == value, "the pod template lacks the selector's \(key)")
        }
        let pod = try #require(daemonSet[path: ["spec", "template", "spec"]])
        #expect(pod["serviceAccountName"]?.stringValue == "ms2m-agent")
        #expect(pod["automountServiceAccountToken"]?.boolValue != false, "the agent reviews tokens with its own")
        for hostField in ["hostNetwork", "hostPID", "hostIPC"] {
            #expect(pod[hostField]?.boolValue != true, "\(hostField) is set")
        }
        let tolerations = pod["tolerations"]?.arrayValue ?? []
        #expect(tolerations.contains { $0["operator"]?.stringValue == "Exists" && $0["key"] == nil && $0["effect"] == nil },
            "the agent must tolerate every taint")
        #expect(pod["priorityClassName"]?.stringValue == "system-node-critical")
        #expect(pod[path: ["securityContext", "seccompProfile", "type"]]?.stringValue == "RuntimeDefault")

        let containers = pod["containers"]?.arrayValue ?? []
        #expect(containers.count == 1)
        let agent = try #require(containers.first)
        #expect(Self.strings(agent["command"]) == ["/usr/local/bin/ms2m-agent"])
        let context = try #require(agent["securityContext"])
        #expect(context["runAsUser"]?.intValue == 0)
        #expect(context["privileged"]?.boolValue != true)
        #expect(context["allowPrivilegeEscalation"]?.boolValue == false)
        #expect(context["readOnlyRootFilesystem"]?.boolValue == true)
        #expect(Self.strings(context[path: ["capabilities", "drop"]]) == ["ALL"])
        let added = Set(Self.strings(context[path: ["capabilities", "add"]]))
        #expect(added.isSubset(of: ["DAC_OVERRIDE", "FOWNER"]), "capabilities beyond the transfer Job's: \(added)")
        #expect(added == ["DAC_OVERRIDE", "FOWNER"], "the agent's capabilities drifted from the transfer Job's")

        let env = agent["env"]?.arrayValue ?? []
        #expect(env.contains {
            $0["name"]?.stringValue == "NODE_NAME" && $0[path: ["valueFrom", "fieldRef", "fieldPath"]]?.stringValue == "spec.nodeName"
        })
        #expect((agent[path: ["resources", "requests"]]?.objectValue ?? [:]).isEmpty == false)
        #expect((agent[path: ["resources", "limits"]]?.objectValue ?? [:]).isEmpty == false)
    }

    @Test("the agent DaemonSet: one hostPath, the checkpoint directory (type Directory), the certificate read-only, HTTPS probes, grace beyond the agent's")
    func agentDaemonSetVolumesProbesAndShutdown() throws {
        let pod = try #require(try Self.agentDaemonSet()[path: ["spec", "template", "spec"]])
        let agent = try #require(pod["containers"]?.arrayValue?.first)
        let args = Self.strings(agent["args"])
        let volumes = pod["volumes"]?.arrayValue ?? []
        let mounts = agent["volumeMounts"]?.arrayValue ?? []

        let hostPaths = volumes.filter { $0["hostPath"] != nil }
        #expect(hostPaths.count == 1, "only the checkpoint directory comes from the host")
        let checkpoints = try #require(hostPaths.first)
        let directory = try #require(checkpoints[path: ["hostPath", "path"]]?.stringValue)
        #expect(directory == "/var/lib/kubelet/checkpoints")
        #expect(checkpoints[path: ["hostPath", "type"]]?.stringValue == "Directory")
        let checkpointMount = try #require(mounts.first { $0["name"] == checkpoints["name"] })
        #expect(checkpointMount["mountPath"]?.stringValue == Self.argument("--checkpoint-directory", in: args))
        #expect(checkpointMount["mountPropagation"] == nil)

        // The serving certificate: a Secret, mounted read-only, holding the files the flags name.
        let tls = try #require(volumes.first { $0["secret"] != nil })
        #expect(tls[path: ["secret", "secretName"]]?.stringValue == "ms2m-agent-tls")
        let tlsMount = try #require(mounts.first { $0["name"] == tls["name"] })
        #expect(tlsMount["readOnly"]?.boolValue == true)
        let tlsDirectory = try #require(tlsMount["mountPath"]?.stringValue)
        let files = (tls[path: ["secret", "items"]]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        #expect(Set(files) == ["tls.crt", "tls.key"], "only the certificate and key, not the CA")
        #expect(Self.argument("--tls-cert-file", in: args) == "\(tlsDirectory)/tls.crt")
        #expect(Self.argument("--tls-private-key-file", in: args) == "\(tlsDirectory)/tls.key")
        // Every other mount is an emptyDir (scratch); nothing else from the host or the API.
        for mount in mounts where mount["name"] != checkpoints["name"] && mount["name"] != tls["name"] {
            let volume = volumes.first { $0["name"] == mount["name"] }
            #expect(volume?["emptyDir"] != nil, "\(mount) is not scratch space")
        }

        let port = try #require((agent["ports"]?.arrayValue ?? []).first { $0["containerPort"]?.intValue == 10260 })
        let portName = try #require(port["name"]?.stringValue)
        #expect(Self.argument("--listen", in: args)?.hasSuffix(":10260") == true)
        for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
            let get = try #require(agent[path: [probe, "httpGet"]], "the agent has no \(probe)")
            #expect(get["path"]?.stringValue == path)
            #expect(get["scheme"]?.stringValue == "HTTPS", "\(probe) must use HTTPS: the agent serves nothing else")
            #expect(get["port"]?.stringValue == portName || get["port"]?.intValue == 10260)
        }

        let grace = try #require(Self.argument("--shutdown-grace-seconds", in: args).flatMap { Int64($0) })
        let termination = try #require(pod["terminationGracePeriodSeconds"]?.intValue)
        #expect(termination > grace, "the kubelet must not kill the agent before its own shutdown grace ends")
        #expect(termination <= grace + 10)

        let strategy = try Self.agentDaemonSet()[path: ["spec", "updateStrategy"]]
        #expect(strategy?["type"]?.stringValue == "RollingUpdate")
    }

    @Test("the agent's identity: its own ServiceAccount, bound to system:auth-delegator and nothing of the operator's")
    func agentRBAC() throws {
        let account = try #require(try Self.documents("config/rbac/agent_service_account.yaml").first)
        #expect(account["kind"]?.stringValue == "ServiceAccount")
        #expect(account[path: ["metadata", "name"]]?.stringValue == "ms2m-agent")
        #expect(account[path: ["metadata", "namespace"]]?.stringValue == "ms2m-system")
        #expect(account["automountServiceAccountToken"]?.boolValue != false)

        let binding = try #require(try Self.documents("config/rbac/agent_role_binding.yaml").first)
        #expect(binding["kind"]?.stringValue == "ClusterRoleBinding")
        #expect(binding[path: ["roleRef", "kind"]]?.stringValue == "ClusterRole")
        #expect(binding[path: ["roleRef", "name"]]?.stringValue == "system:auth-delegator")
        let subjects = binding["subjects"]?.arrayValue ?? []
        #expect(subjects.count == 1)
        #expect(subjects.first?["kind"]?.stringValue == "ServiceAccount")
        #expect(subjects.first?["name"]?.stringValue == "ms2m-agent")
        #expect(subjects.first?["namespace"]?.stringValue == "ms2m-system")

        // No other binding under config/rbac names the agent, and the agent's binding names no one else.
        for path in Self.configFiles where path.hasPrefix("config/rbac/") && path != "config/rbac/agent_role_binding.yaml" {
            for document in try Self.documents(path) where ["RoleBinding", "ClusterRoleBinding"].contains(document["kind"]?.stringValue ?? "") {
                let names = (document["subjects"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
                #expect(!names.contains("ms2m-agent"), "\(path) grants the agent more")
            }
        }
    }

    @Test("the operator calls agents with an audience-bound projected token and the agent CA, never the agent's key")
    func operatorAgentCredentials() throws {
        let deployment = try #require(try Self.documents(Self.managerPath).first { $0["kind"]?.stringValue == "Deployment" })
        let pod = try #require(deployment[path: ["spec", "template", "spec"]])
        let manager = try #require((pod["containers"]?.arrayValue ?? []).first { $0["name"]?.stringValue == "manager" })
        let volume = try #require((pod["volumes"]?.arrayValue ?? []).first { $0["projected"] != nil })
        let sources = volume[path: ["projected", "sources"]]?.arrayValue ?? []
        let token = try #require(sources.first { $0["serviceAccountToken"] != nil }?["serviceAccountToken"])
        #expect(token["audience"]?.stringValue == "ms2m-agent")
        #expect(token["expirationSeconds"]?.intValue == 3600)
        #expect(token["path"]?.stringValue == "token")
        let secret = try #require(sources.first { $0["secret"] != nil }?["secret"])
        #expect(secret["name"]?.stringValue == "ms2m-agent-tls")
        #expect(secret["optional"]?.boolValue == true, "the operator must start before the agent certificate exists")
        let keys = (secret["items"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
        #expect(keys == ["ca.crt"], "the operator needs the CA only, never tls.key")
        let mount = try #require((manager["volumeMounts"]?.arrayValue ?? []).first { $0["name"] == volume["name"] })
        #expect(mount["mountPath"]?.stringValue == "/var/run/secrets/ms2m-agent")
        #expect(mount["readOnly"]?.boolValue == true)
    }

    @Test("the agent certificate: a dedicated CA, the headless Service's name, the Secret the DaemonSet mounts")
    func agentCertificate() throws {
        let documents = try Self.documents(Self.agentCertificatePath)
        let certificates = documents.filter { $0["kind"]?.stringValue == "Certificate" }
        let ca = try #require(certificates.first { $0[path: ["spec", "isCA"]]?.boolValue == true })
        let caSecret = try #require(ca[path: ["spec", "secretName"]]?.stringValue)
        let issuer = try #require(documents.first {
            $0["kind"]?.stringValue == "Issuer" && $0[path: ["spec", "ca", "secretName"]]?.stringValue == caSecret
        })
        let serving = try #require(certificates.first { $0[path: ["spec", "isCA"]]?.boolValue != true })
        #expect(serving[path: ["spec", "issuerRef", "name"]] == issuer[path: ["metadata", "name"]])
        #expect(serving[path: ["spec", "secretName"]]?.stringValue == "ms2m-agent-tls")
        #expect(caSecret != "ms2m-agent-tls", "the CA's key must not be in the Secret the agents and operator mount")
        #expect(Self.strings(serving[path: ["spec", "usages"]]).contains("server auth"))

        let service = try #require(try Self.documents("config/agent/service.yaml").first)
        #expect(service[path: ["spec", "clusterIP"]]?.stringValue == "None")
        let name = try #require(service[path: ["metadata", "name"]]?.stringValue)
        let namespace = try #require(service[path: ["metadata", "namespace"]]?.stringValue)
        #expect(Self.strings(serving[path: ["spec", "dnsNames"]]).contains("\(name).\(namespace).svc"))
        let podLabels = try Self.agentDaemonSet()[path: ["spec", "template", "metadata", "labels"]]
        for (key, value) in service[path: ["spec", "selector"]]?.objectValue ?? [:] {
            #expect(podLabels?[key] == value, "the Service selects \(key)=\(value), which agent pods lack")
        }
        #expect((service[path: ["spec", "ports"]]?.arrayValue ?? []).contains { $0["port"]?.intValue == 10260 })

        let overlay = try #require(try Self.documents("config/certmanager/kustomization.yaml").first)
        #expect(Self.strings(overlay["resources"]).contains("agent_certificate.yaml"))
    }

    @Test("Dockerfile.transfer builds ms2m-agent and puts it where the DaemonSet runs it")
    func agentImage() throws {
        let dockerfile = try RepositoryFiles.text("Dockerfile.transfer")
        #expect(dockerfile.contains("--product ms2m-agent"))
        #expect(dockerfile.contains("COPY --from=build /out/ms2m-agent /usr/local/bin/ms2m-agent"))
        #expect(dockerfile.contains("libyaml-0-2"), "ms2m-agent links libyaml (KubeClient's YAMLCodec)")
        let agent = try #require(try Self.agentDaemonSet()[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        let image = try #require(agent["image"]?.stringValue)
        #expect(image.contains("checkpoint-transfer"), "the agent runs from the checkpoint-transfer image")
    }
}
