@testable import PolicyEngine
import Testing
import Unstructured

@Suite("Child names and status patches")
struct NamingAndPatchTests {
    @Test("child names are deterministic, distinct per pod UID and at most 63 characters")
    func names() {
        let name = ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-1")
        #expect(name == ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-1"))
        #expect(name != ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-2"))
        #expect(name.hasPrefix("drain-db-0-") && name.count == "drain-db-0-".count + 10)
        let long = ChildMigrationName.make(policy: String(repeating: "p", count: 40), pod: String(repeating: "q", count: 40), sourceUID: "u")
        #expect(long.count <= 63 && !long.contains("--"))
        let trimmed = ChildMigrationName.make(policy: String(repeating: "p", count: 51), pod: "x", sourceUID: "u")
        #expect(trimmed.count <= 63 && trimmed.hasPrefix(String(repeating: "p", count: 51) + "-"))
    }

    @Test("the status merge patch deletes keys the new status no longer has")
    func mergePatch() {
        let old: JSONValue = ["budget": ["inFlight": 2, "outboundByNode": ["a": 1, "b": 1]], "plan": [["pod": "x"]]]
        let new: JSONValue = ["budget": ["inFlight": 1, "outboundByNode": ["a": 1]]]
        let patch = JSONMergePatch.diff(from: old, to: new)
        #expect(patch == ["budget": ["inFlight": 1, "outboundByNode": ["a": 1, "b": .null]], "plan": .null])
    }
}
