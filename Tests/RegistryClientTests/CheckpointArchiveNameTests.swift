import Foundation
import RegistryClient
import Testing

@Suite("CheckpointArchiveName: the kubelet's archive names")
struct CheckpointArchiveNameTests {
    @Test("the time is found after the container's name, dashes and all")
    func parses() throws {
        let name = try #require(CheckpointArchiveName("checkpoint-web-1_shop-my-app-2026-12-07T10:05:30Z.tar"))
        #expect(name.prefix == CheckpointArchiveName.prefix(pod: "web-1", namespace: "shop", container: "my-app"))
        #expect(name.time == Date(timeIntervalSince1970: 1_796_637_930))
        let offset = try #require(CheckpointArchiveName("checkpoint-p_ns-c-2026-12-07T11:05:30+01:00.tar"))
        #expect(offset.time == name.time)
        #expect(CheckpointArchiveName("checkpoint-p_ns-c-2026-12-07T11:05:30.123456Z.tar") != nil)
        for other in ["checkpoint-p_ns-c.tar", "checkpoint-p_ns-c-yesterday.tar", "notes.txt", "checkpoint-p_ns-c-2026-12-07T10:05:30Z.tgz"] {
            #expect(CheckpointArchiveName(other) == nil, "\(other)")
        }
    }

    @Test("the archives of one container since a time, compared at whole seconds")
    func archivesSince() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-archives-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in [
            "checkpoint-web-1_shop-app-2026-12-07T10:05:29Z.tar", "checkpoint-web-1_shop-app-2026-12-07T10:05:30Z.tar",
            "checkpoint-web-1_shop-app-2026-12-07T10:06:00Z.tar", "checkpoint-web-1_shop-app-x-2026-12-07T10:06:00Z.tar",
        ] {
            try Data().write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
        let since = Date(timeIntervalSince1970: 1_796_637_930.7)
        let found = CheckpointArchiveName.archives(
            in: directory, pod: "web-1", namespace: "shop", container: "app", since: since,
            except: "\(directory)/checkpoint-web-1_shop-app-2026-12-07T10:06:00Z.tar")
        #expect(found == ["\(directory)/checkpoint-web-1_shop-app-2026-12-07T10:05:30Z.tar"])
    }
}
