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
            Self.leaderElectionRolePath, Self.managerPath,
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

    @Test("config/default installs the CRDs, RBAC and manager into ms2m-system")
    func defaultKustomization() throws {
        let kustomization = try #require(try Self.documents("config/default/kustomization.yaml").first)
        #expect(kustomization["namespace"]?.stringValue == "ms2m-system")
        let resources = Set((kustomization["resources"]?.arrayValue ?? []).compactMap(\.stringValue))
        #expect(resources.isSuperset(of: ["../crd", "../rbac", "../manager"]))
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
}
