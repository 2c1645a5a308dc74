import Foundation

extension BlockingIO {
    /// `run` for bodies that throw only `RegistryError`, keeping the typed error.
    static func runTyped<T: Sendable>(_ body: @escaping @Sendable () throws(RegistryError) -> T) async throws(RegistryError) -> T {
        do {
            return try await run { try body() }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .io("\(error)")
        }
    }

    /// Creates `path` and its parents if missing.
    static func createDirectory(_ path: String) async throws(RegistryError) {
        try await runTyped { () throws(RegistryError) in
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw .io("cannot create the directory \(path): \(error)")
            }
        }
    }
}
