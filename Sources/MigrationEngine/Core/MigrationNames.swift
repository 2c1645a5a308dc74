public import MigrationAPI

/// The deterministic names, labels and annotations the engine gives what it creates, so every step can
/// find its own earlier work after a crash instead of creating it twice.
public enum MigrationNames {
    /// The finalizer that makes deleting a migration run its cleanup first.
    public static let finalizer = "migration.ms2m.io/cleanup"
    /// Label on everything a migration creates: the migration's name.
    public static let migrationLabel = RestoredPodOrigin.migrationLabel
    /// Label on everything a migration creates: the migration's UID.
    public static let migrationUIDLabel = "migration.ms2m.io/migration-uid"
    /// Annotation on a restored pod: the checkpoint image it was restored from.
    public static let restoredFromAnnotation = "migration.ms2m.io/restored-from"
    /// Annotation on a restored pod: the pod it was migrated from (`namespace/name`, node).
    public static let migratedFromAnnotation = RestoredPodOrigin.annotation
    /// The field manager the engine writes with.
    public static let fieldManager = "ms2m-engine"

    /// The transfer Job's name: `<migration>-transfer`, shortened with a hash to fit 63 characters.
    public static func transferJob(for migration: StatefulMigration) -> String {
        boundedName(migration.metadata.name ?? "migration", suffix: "-transfer")
    }

    /// The archive-cleanup Job's name: `<migration>-cleanup`, shortened with a hash to fit 63 characters.
    public static func cleanupJob(for migration: StatefulMigration) -> String {
        boundedName(migration.metadata.name ?? "migration", suffix: "-cleanup")
    }

    /// The target pod's name: `<source>-shadow` for ShadowPod, the source's own name for Sequential.
    public static func targetPod(source: String, strategy: MigrationStrategy) -> String {
        switch strategy {
        case .shadowPod: boundedName(source, suffix: "-shadow")
        case .sequential: source
        }
    }

    /// The checkpoint image's tag: `<namespace>-<migration>-<uid prefix>`, within the 128 characters and
    /// `[A-Za-z0-9_.-]` a tag allows.
    public static func imageTag(for migration: StatefulMigration) -> String {
        let uid = (migration.metadata.uid ?? "").filter { $0 != "-" }.prefix(8)
        let raw = "\(migration.metadata.namespace ?? "default")-\(migration.metadata.name ?? "migration")-\(uid)"
        let cleaned = String(raw.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" ? $0 : "-" })
        return String(cleaned.prefix(128))
    }

    /// `base + suffix` when it fits 63 characters, else `base` cut and joined with a short stable hash.
    public static func boundedName(_ base: String, suffix: String, limit: Int = 63) -> String {
        if base.count + suffix.count <= limit { return base + suffix }
        let hash = String(fnv1a(base), radix: 16).prefix(8)
        let keep = limit - suffix.count - hash.count - 1
        var cut = String(base.prefix(keep))
        while cut.hasSuffix("-") || cut.hasSuffix(".") { cut.removeLast() }
        return "\(cut)-\(hash)\(suffix)"
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
