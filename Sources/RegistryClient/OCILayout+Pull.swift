import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading images back out of an OCI layout, with the same checks as a registry pull.
extension OCILayout {
    /// The descriptor `index.json` holds for `reference` (the last entry tagged so, or the first with that
    /// digest); for a digest that only exists as a blob, a descriptor built from the blob. Nil if absent.
    /// Blocks (file reads).
    public func manifestDescriptor(_ reference: ImageSource.LayoutReference) throws(RegistryError) -> OCIDescriptor? {
        switch reference {
        case .tag(let tag):
            return try manifestDescriptor(tag: tag)
        case .digest(let digest):
            if let entry = try index().manifests.first(where: { $0.digest == digest }) { return entry }
            var info = stat()
            guard stat(blobPath(digest), &info) == 0 else { return nil }
            return OCIDescriptor(mediaType: "", digest: digest, size: Int64(info.st_size))
        }
    }

    /// Reads the image `reference` names and stores its layers, uncompressed, in `directory` (created if
    /// missing) as `<layer digest hex>.tar`, checking every blob against its digest; an index is resolved to
    /// its `platform` entry. The layout's own blobs are never handed out, so the caller may delete the files.
    public func pullImage(
        _ reference: ImageSource.LayoutReference, into directory: String, platform: ImagePlatform = .current
    ) async throws(RegistryError) -> PulledImage {
        let layout = self
        return try await BlockingIO.runTyped { () throws(RegistryError) in
            try layout.pullBlocking(reference, into: directory, platform: platform)
        }
    }

    private func pullBlocking(
        _ reference: ImageSource.LayoutReference, into directory: String, platform: ImagePlatform
    ) throws(RegistryError) -> PulledImage {
        let source = ImageSource.layout(directory: self.directory, reference: reference)
        guard let descriptor = try manifestDescriptor(reference) else { throw .notFound("image \(source)") }
        var manifestDigest = descriptor.digest
        var bytes = try readBlob(descriptor.digest)
        try ImageVerification.check(bytes, against: descriptor)
        if let entry = try ImageVerification.platformEntry(bytes, mediaType: descriptor.mediaType, platform: platform, image: source.description) {
            bytes = try readBlob(entry.digest)
            try ImageVerification.check(bytes, against: entry)
            manifestDigest = entry.digest
        }
        let manifest = try ImageVerification.decodeManifest(bytes, image: source.description)
        let configBytes = try readBlob(manifest.config.digest)
        try ImageVerification.check(configBytes, against: manifest.config)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create the directory \(directory): \(error)")
        }
        var layers: [PulledLayer] = []
        for layer in manifest.layers {
            layers.append(try copyLayer(layer, to: directory + "/" + layer.digest.hex + ".tar"))
        }
        let image = PulledImage(source: source, manifestDigest: manifestDigest, manifest: manifest, configBytes: configBytes, layers: layers)
        try ImageVerification.checkDiffIDs(image)
        return image
    }

    /// Copies a layer blob through a `LayerFileWriter` (hashing, gunzipping), in 1 MiB reads.
    private func copyLayer(_ descriptor: OCIDescriptor, to destination: String) throws(RegistryError) -> PulledLayer {
        let writer = try LayerFileWriter(destination: destination, descriptor: descriptor)
        let path = blobPath(descriptor.digest)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound("blob \(descriptor.digest) in \(directory)") }
            throw .io("cannot open \(path): \(errnoText())")
        }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .io("reading \(path) failed: \(errnoText())") }
            if count == 0 { break }
            try writer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return try writer.finish()
    }
}
