import Foundation

/// Deleting images from an OCI layout: the entry leaves `index.json`, then every blob no longer reachable
/// from the index is removed. Like the layout's writes, this assumes no one else writes the layout meanwhile
/// (a concurrent push's blobs, written before its tag, would look unreferenced).
extension OCILayout {
    /// Drops what `reference` names from `index.json` (a tag: the entries tagged so; a digest: every entry
    /// with that digest) and removes the blobs nothing references any more. Returns `.alreadyGone` when the
    /// index has no such entry.
    @discardableResult
    public func deleteManifest(_ reference: ImageSource.LayoutReference) async throws(RegistryError) -> ManifestDeletion {
        let layout = self
        return try await BlockingIO.runTyped { () throws(RegistryError) in try layout.deleteBlocking(reference) }
    }

    private func deleteBlocking(_ reference: ImageSource.LayoutReference) throws(RegistryError) -> ManifestDeletion {
        var index = try index()
        let matches: (OCIDescriptor) -> Bool
        switch reference {
        case .tag(let tag): matches = { $0.annotations?[Self.refNameAnnotation] == tag }
        case .digest(let digest): matches = { $0.digest == digest }
        }
        guard let removed = index.manifests.last(where: matches) else { return .alreadyGone }
        index.manifests.removeAll(where: matches)
        do {
            try Self.writeAtomically(try CanonicalJSON.encode(index), to: directory + "/index.json")
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .io("cannot write \(directory)/index.json: \(error)")
        }
        _ = try collectGarbage()
        return .deleted(removed.digest)
    }

    /// Removes every blob not reachable from `index.json` (through indexes, manifests, configs and layers)
    /// and returns the digests removed. Files that are not blobs (temporary uploads) are left alone.
    func collectGarbage() throws(RegistryError) -> [OCIDigest] {
        var reachable = Set<OCIDigest>()
        // Only manifests and indexes are read (small JSON); configs and layers are leaves, never loaded.
        var documents = try index().manifests.map(\.digest)
        while let digest = documents.popLast() {
            guard reachable.insert(digest).inserted else { continue }
            guard let bytes = try? readBlob(digest), let document = try? CanonicalJSON.decode(ReferencingDocument.self, from: bytes) else { continue }
            documents += (document.manifests ?? []).map(\.digest)
            for leaf in (document.layers ?? []) + [document.config].compactMap({ $0 }) { reachable.insert(leaf.digest) }
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: blobsDirectory)
        } catch {
            return []
        }
        var removed: [OCIDigest] = []
        for name in names {
            guard let digest = OCIDigest("sha256:" + name), !reachable.contains(digest) else { continue }
            do {
                try FileManager.default.removeItem(atPath: blobPath(digest))
                removed.append(digest)
            } catch {
                throw .io("cannot remove the unreferenced blob \(digest) from \(directory): \(error)")
            }
        }
        return removed
    }

    /// The references a manifest or index document holds (configs, layers, child manifests).
    private struct ReferencingDocument: Decodable {
        struct Reference: Decodable {
            var digest: OCIDigest
        }

        var manifests: [Reference]?
        var config: Reference?
        var layers: [Reference]?
    }
}
