import HTTPTransport

extension OCIRegistryClient {
    /// Deletes the manifest `reference` names: a tag is first resolved to its digest (`HEAD`), then
    /// `DELETE /v2/<name>/manifests/<digest>` is sent. `202` (or `200`/`204`) means deleted; `404`, at either
    /// step, means there was nothing left to delete. A registry with deletion disabled answers `405`, reported
    /// as `RegistryError.deletionDisabled`. The layers stay until the registry's garbage collection runs.
    @discardableResult
    public func deleteManifest(_ reference: ImageReference) async throws(RegistryError) -> ManifestDeletion {
        let digest: OCIDigest
        if let pinned = reference.digest {
            digest = pinned
        } else {
            guard let descriptor = try await manifestDescriptor(reference) else { return .alreadyGone }
            digest = descriptor.digest
        }
        let operation = "DELETE manifest \(reference.repository)@\(digest)"
        let response = try await execute(operation, scope: Self.deleteScope(reference.repository)) {
            HTTPRequest(method: .delete, url: url(reference.repository, "manifests/\(digest)"), timeout: .seconds(60))
        }
        switch response.status {
        case 200, 202, 204: return .deleted(digest)
        case 404: return .alreadyGone
        case 405: throw .deletionDisabled("image \(reference.repository)@\(digest)")
        default: throw Self.unexpected(operation, response)
        }
    }
}
