import Foundation
import Testing
import Unstructured

@testable import KubeModel

/// The fixtures, each with the type it decodes as.
enum FixtureKind: String, CaseIterable, Sendable {
    case pod, node, statefulSet, job, conflict, crd, podList, lease, event, coreEvent, pdb

    /// Decodes the fixture, encodes it, decodes that again, and compares; also re-encodes to check stability.
    func roundTrips() throws -> Bool {
        switch self {
        case .pod: return try check(Pod.self, Fixtures.pod)
        case .node: return try check(Node.self, Fixtures.node)
        case .statefulSet: return try check(StatefulSet.self, Fixtures.statefulSet)
        case .job: return try check(Job.self, Fixtures.job)
        case .conflict: return try check(Status.self, Fixtures.conflict)
        case .crd: return try check(CustomResourceDefinition.self, Fixtures.crd)
        case .podList: return try check(ObjectList<Pod>.self, Fixtures.podList)
        case .lease: return try check(Lease.self, Fixtures.lease)
        case .event: return try check(Event.self, Fixtures.event)
        case .coreEvent: return try check(CoreEvent.self, Fixtures.coreEvent)
        case .pdb: return try check(PodDisruptionBudget.self, Fixtures.pdb)
        }
    }

    private func check<T: Codable & Equatable>(_ type: T.Type, _ json: String) throws -> Bool {
        let first = try decode(T.self, json)
        let second = try roundTrip(first)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try first == second && encoder.encode(first) == encoder.encode(second)
    }
}

@Suite("Encoding")
struct RoundTripTests {
    @Test("fixtures survive encode and decode", arguments: FixtureKind.allCases)
    func fixtures(kind: FixtureKind) throws {
        #expect(try kind.roundTrips())
    }

    @Test("the fixture pod's JSON tree survives, apart from canonicalised and dropped-null values")
    func podTree() throws {
        let original = try JSONValue.parse(Fixtures.pod)
        let pod = try decode(Pod.self, Fixtures.pod)
        let reencoded = try JSONValue.parse(String(decoding: try JSONEncoder().encode(pod), as: UTF8.self))
        // Volumes, including unknown sources, come back exactly.
        #expect(reencoded[path: ["spec", "volumes"]] == original[path: ["spec", "volumes"]])
        #expect(reencoded[path: ["spec", "affinity"]] == original[path: ["spec", "affinity"]])
        #expect(reencoded[path: ["spec", "containers"]] == original[path: ["spec", "containers"]])
        #expect(reencoded["metadata"] == original["metadata"])
        // `lastProbeTime: null` is omitted on the way out.
        #expect(reencoded[path: ["status", "conditions"]]?.arrayValue?.first?["lastProbeTime"] == nil)
    }

    @Test("nil fields are omitted and apiVersion/kind default")
    func omitsNil() throws {
        let pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "default", labels: ["app": "web"]),
            spec: PodSpec(containers: [Container(name: "web", image: "nginx")]))
        let object = try encodeToObject(pod)
        #expect(Set(object.keys) == ["apiVersion", "kind", "metadata", "spec"])
        #expect(object["apiVersion"] as? String == "v1")
        #expect(object["kind"] as? String == "Pod")
        #expect(Set((object["metadata"] as? [String: Any] ?? [:]).keys) == ["name", "namespace", "labels"])
        let container = ((object["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first
        #expect(Set(container?.keys.map { $0 } ?? []) == ["name", "image"])

        let deployment = try encodeToObject(Deployment(metadata: ObjectMeta(name: "d")))
        #expect(deployment["apiVersion"] as? String == "apps/v1")
        #expect(try encodeToObject(ListMeta(continueToken: "abc"))["continue"] as? String == "abc")
    }

    @Test("type metadata and resource paths")
    func typeMeta() {
        #expect(Pod.apiVersion == "v1")
        #expect(Pod.gvr == GroupVersionResource(group: "", version: "v1", resource: "pods"))
        #expect(Pod.gvr.basePath == "/api/v1")
        #expect(StatefulSet.gvr.basePath == "/apis/apps/v1")
        #expect(Job.apiVersion == "batch/v1")
        #expect(Lease.apiVersion == "coordination.k8s.io/v1")
        #expect(PodDisruptionBudget.apiVersion == "policy/v1")
        #expect(Node.isNamespaced == false && Namespace.isNamespaced == false)
        #expect(Secret.plural == "secrets" && PersistentVolumeClaim.plural == "persistentvolumeclaims")
        #expect(ResourceQuota.gvr.description == "resourcequotas.v1")
        #expect(ReplicaSet.gvr.description == "replicasets.v1.apps")
        var pod = Pod(apiVersion: nil, kind: nil)
        pod.fillTypeMeta()
        #expect(pod.apiVersion == "v1" && pod.kind == "Pod")
        let owner = StatefulSet(metadata: ObjectMeta(name: "redis", uid: "u-1"))
        #expect(OwnerReference(controller: owner)
            == OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "redis", uid: "u-1",
                              controller: true, blockOwnerDeletion: true))
        #expect(ObjectReference(to: owner).kind == "StatefulSet")

        func requiresStatus<T: HasStatus>(_: T.Type) -> Bool { true }
        func requiresScale<T: Scalable>(_: T.Type) -> Bool { true }
        func requiresEviction<T: Evictable>(_: T.Type) -> Bool { true }
        #expect(requiresStatus(Pod.self) && requiresStatus(CustomResourceDefinition.self))
        #expect(requiresScale(StatefulSet.self) && requiresScale(Deployment.self) && requiresScale(ReplicaSet.self))
        #expect(requiresEviction(Pod.self))
    }

    @Test("secrets decode base64 data")
    func secret() throws {
        let json = #"""
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "type": "Opaque",
         "data": {"password": "czNjcjN0", "blob": "AAEC/w==", "bad": "%%%"}}
        """#
        var secret = try decode(Secret.self, json)
        #expect(secret.string("password") == "s3cr3t")
        #expect(secret.decodedData("blob") == Data([0, 1, 2, 255]))
        #expect(secret.decodedData("bad") == nil)
        #expect(secret.decodedData("missing") == nil)
        secret.setString("user", "admin")
        #expect(secret.data?["user"] == "YWRtaW4=")
        let configMap = ConfigMap(binaryData: ["b": "aGk="])
        #expect(configMap.decodedBinaryData("b") == Data("hi".utf8))
    }

    @Test("volumes keep their source members")
    func volumes() throws {
        let volume = Volume.persistentVolumeClaim(name: "data", claimName: "data-0", readOnly: true)
        let object = try encodeToObject(volume)
        #expect(object["name"] as? String == "data")
        #expect((object["persistentVolumeClaim"] as? [String: Any])?["claimName"] as? String == "data-0")
        #expect(try roundTrip(volume) == volume)
        #expect(Volume.emptyDir(name: "tmp", sizeLimit: "1Gi").emptyDir?["sizeLimit"] == "1Gi")
        #expect(Volume.hostPath(name: "h", path: "/var/lib").hostPath?["path"] == "/var/lib")
        #expect(throws: DecodingError.self) { try decode(Volume.self, #"{"emptyDir": {}}"#) }
    }

    @Test("IntOrString codes either way", arguments: [("8080", IntOrString.int(8080)), (#""http""#, "http")])
    func intOrString(json: String, expected: IntOrString) throws {
        let decoded = try decode([IntOrString].self, "[\(json)]")
        #expect(decoded == [expected])
        #expect(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self) == "[\(json)]")
    }

    @Test(
        "IntOrString percentages scale",
        arguments: [
            (IntOrString.string("25%"), 10, true, 3), ("25%", 10, false, 2), (5, 10, true, 5), ("50%", 3, true, 2),
            ("x", 10, true, nil), ("0%", 7, true, 0),
        ] as [(IntOrString, Int, Bool, Int?)])
    func scaled(value: IntOrString, total: Int, roundUp: Bool, expected: Int?) {
        #expect(value.scaledValue(total: total, roundUp: roundUp) == expected)
    }

    @Test("watch events decode raw and typed")
    func watchEvents() throws {
        let line = #"{"type": "MODIFIED", "object": \#(Fixtures.lease)}"#
        let raw = try decode(WatchEvent.self, line)
        #expect(raw.type == .modified)
        #expect(raw.object[path: ["metadata", "name"]] == "ms2m-leader")
        let typed: TypedWatchEvent<Lease> = try raw.typed()
        #expect(typed.type == .modified)
        #expect(typed.object?.spec?.leaseTransitions == 4)
        #expect(typed.resourceVersion == "77")
        let direct = try decode(TypedWatchEvent<Lease>.self, line)
        #expect(direct == typed)
        #expect(try roundTrip(direct) == direct)

        let bookmark = try decode(
            TypedWatchEvent<Pod>.self,
            #"""
            {"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "9"}}}
            """#)
        #expect(bookmark.type == .bookmark)
        #expect(bookmark.resourceVersion == "9")
        #expect(bookmark.object == nil)
        #expect(try roundTrip(bookmark).resourceVersion == "9")

        let gone = #"""
        {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": "too old resource version: 1 (184467)", "reason": "Expired", "code": 410}}
        """#
        let error = try decode(TypedWatchEvent<Pod>.self, gone)
        guard case .error(let status) = error else {
            Issue.record("expected an error event")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == .expired)
        #expect(error.object == nil)
        #expect(try decode(WatchEvent.self, gone).typed(as: Pod.self) == error)
    }

    @Test("request bodies: delete options, eviction, scale")
    func requestBodies() throws {
        let options = DeleteOptions(
            gracePeriodSeconds: 0, preconditions: .init(uid: "u-1"), propagationPolicy: .foreground)
        let object = try encodeToObject(options)
        #expect(object["kind"] as? String == "DeleteOptions")
        #expect(object["apiVersion"] as? String == "v1")
        #expect(object["propagationPolicy"] as? String == "Foreground")
        #expect((object["preconditions"] as? [String: Any])?["uid"] as? String == "u-1")
        #expect(object["dryRun"] == nil)

        let eviction = try encodeToObject(Eviction(podName: "redis-0", namespace: "default", deleteOptions: options))
        #expect(eviction["apiVersion"] as? String == "policy/v1")
        #expect(eviction["kind"] as? String == "Eviction")
        #expect((eviction["metadata"] as? [String: Any])?["name"] as? String == "redis-0")

        let scale = try decode(
            Scale.self,
            #"""
            {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": "redis", "namespace": "default"},
             "spec": {"replicas": 3}, "status": {"replicas": 2, "selector": "app=redis"}}
            """#)
        #expect(scale.spec?.replicas == 3)
        #expect(scale.status?.replicas == 2)
        #expect(scale.status?.selector == "app=redis")
        #expect(try roundTrip(scale) == scale)
    }
}


/// Bookmarks as kube-apiserver sends them: an object of the watched kind made from its zero value, with only
/// `metadata.resourceVersion` set and every non-omitempty field serialized — nulls where a decoder of the full
/// kind expects values (https://kubernetes.io/docs/reference/using-api/api-concepts/#watch-bookmarks;
/// k8s.io/apiserver storage/cacher builds them with the type's `NewFunc`).
@Suite("watch bookmarks shaped as a real API server sends them")
struct RealBookmarkTests {
    @Test("decoded as metadata only, for every kind the operator watches")
    func realShapes() throws {
        func check<T: KubernetesObject>(_ type: T.Type, _ json: String) throws {
            let event = try decode(TypedWatchEvent<T>.self, json)
            #expect(event.type == .bookmark)
            #expect(event.resourceVersion == "12746", "\(T.kind)")
            let raw = try decode(WatchEvent.self, json)
            #expect(try raw.typed(as: T.self).resourceVersion == "12746")
        }
        try check(StatefulSet.self, #"""
            {"type":"BOOKMARK","object":{"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"resourceVersion":"12746","creationTimestamp":null},"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}},"serviceName":"","updateStrategy":{}},"status":{"replicas":0,"availableReplicas":0}}}
            """#)
        try check(Pod.self, #"""
            {"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746","creationTimestamp":null},"spec":{"containers":null},"status":{}}}
            """#)
        try check(Node.self, #"""
            {"type":"BOOKMARK","object":{"kind":"Node","apiVersion":"v1","metadata":{"resourceVersion":"12746","creationTimestamp":null},"spec":{},"status":{"daemonEndpoints":{"kubeletEndpoint":{"Port":0}},"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"","kubeletVersion":"","kubeProxyVersion":"","operatingSystem":"","architecture":""}}}}
            """#)
        try check(ReplicaSet.self, #"""
            {"type":"BOOKMARK","object":{"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{"resourceVersion":"12746","creationTimestamp":null},"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}}},"status":{"replicas":0}}}
            """#)
        try check(Job.self, #"""
            {"type":"BOOKMARK","object":{"kind":"Job","apiVersion":"batch/v1","metadata":{"resourceVersion":"12746","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}}},"status":{}}}
            """#)
        try check(Lease.self, #"""
            {"type":"BOOKMARK","object":{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"resourceVersion":"12746","creationTimestamp":null},"spec":{}}}
            """#)
    }

    @Test("the initial-events-end annotation of a streaming list is kept")
    func initialEventsEnd() throws {
        let event = try decode(TypedWatchEvent<Pod>.self, #"""
            {"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"5","creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}},"spec":{"containers":null},"status":{}}}
            """#)
        guard case .bookmark(let metadata) = event else {
            Issue.record("expected a bookmark")
            return
        }
        #expect(metadata.annotations?["k8s.io/initial-events-end"] == "true")
    }
}
