import Foundation
import Unstructured

/// Reads a text file a person gave a command (kubeconfig, policy, snapshot, scenario), with errors that say
/// what is wrong in their terms: the file is missing or unreadable, or where it stops being UTF-8.
public enum TextFile {
    /// Why a text file cannot be read.
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// The contents of `path` as UTF-8 text.
    public static func read(_ path: String) throws(ReadError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ReadError(path: path, reason: "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(path: path, reason: "permission denied or unreadable")
        }
        do {
            return try UTF8Text.decode(Array(data))
        } catch {
            throw ReadError(path: path, reason: error.description)
        }
    }
}
