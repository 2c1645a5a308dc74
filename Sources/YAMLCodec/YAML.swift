public import Unstructured

/// An error reading YAML: a syntax error from libyaml, a resolution error (duplicate key, unknown alias, bad tag),
/// or, from `YAML.decode`, a value that does not fit the type being decoded.
public struct YAMLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was wrong, e.g. "mapping values are not allowed in this context".
    public var message: String
    /// The 1-based line of the problem; 0 when unknown.
    public var line: Int
    /// The 1-based column of the problem; 0 when unknown.
    public var column: Int
    /// For a decoding error, the path of the offending value, e.g. `spec.containers[0].image`; else nil.
    public var path: String?

    /// Makes an error at a position.
    public init(message: String, line: Int, column: Int, path: String? = nil) {
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }

    /// `yaml: line 3, column 5: mapping values are not allowed in this context`.
    public var description: String {
        var text = "yaml: "
        if line > 0 {
            text += "line \(line), "
            if column > 0 { text += "column \(column), " }
            text.removeLast(2)
            text += ": "
        }
        if let path, !path.isEmpty { text += "\(path): " }
        return text + message
    }
}

/// YAML reading and writing with the resolution rules of Kubernetes tooling (YAML 1.1 as go-yaml v2 reads it).
///
/// Documents become `JSONValue` trees: mapping keys are strings, quoted and block scalars are always strings,
/// plain scalars resolve to null, booleans (`yes`/`no`/`on`/`off` too), integers (decimal, `0x`, `0b`, `0o`,
/// YAML 1.1 octal `0755`) and floats. Anchors, aliases and merge keys (`<<`) are expanded.
public enum YAML {
    /// Parses a stream holding at most one non-empty document; an empty stream is `.null`.
    public static func parse(_ text: String) throws(YAMLError) -> JSONValue {
        var builder = YAMLTreeBuilder(text: text)
        let documents = try builder.documents().filter { !$0.isEmpty }
        guard documents.count <= 1 else {
            let second = documents[1].mark
            throw YAMLError(
                message: "expected a single document but found \(documents.count)", line: second.line,
                column: second.column)
        }
        return documents.first?.value ?? .null
    }

    /// Parses a multi-document stream (documents separated by `---`); empty documents are skipped, as kubectl does.
    public static func parseAll(_ text: String) throws(YAMLError) -> [JSONValue] {
        var builder = YAMLTreeBuilder(text: text)
        return try builder.documents().filter { !$0.isEmpty }.map(\.value)
    }

    /// Parses one document and decodes it with `JSONValueDecoder`.
    ///
    /// Throws `YAMLError` both for bad YAML and for values that do not fit `T`; the latter carries the path of
    /// the value (`spec.replicas`) and, where it can be found, its line and column.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let value = try parse(text)
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch let error as DecodingError {
            throw YAMLError(decoding: error, in: value, text: text)
        }
    }

    /// The YAML text of one document: block style, two-space indentation, strings quoted where needed.
    public static func emit(_ value: JSONValue) -> String {
        var emitter = YAMLEmitter()
        emitter.document(value)
        return emitter.output
    }

    /// The YAML text of several documents, separated by `---` lines.
    public static func emitAll(_ values: [JSONValue]) -> String {
        var emitter = YAMLEmitter()
        for (index, value) in values.enumerated() {
            if index > 0 { emitter.output += "---\n" }
            emitter.document(value)
        }
        return emitter.output
    }
}

extension YAMLError {
    /// A decoding error restated with a YAML path and, found by parsing again, the position of the value.
    init(decoding error: DecodingError, in root: JSONValue, text: String) {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        @unknown default:
            self.init(message: "\(error)", line: 0, column: 0)
            return
        }
        var message = DecodingProblem.what(error)
        if case .keyNotFound(let key, _) = error {
            message = "missing required key \(key.stringValue.debugDescription)"
        }
        let components = context.codingPath.map(\.stringValue)
        var builder = YAMLTreeBuilder(text: text, trackingPath: components)
        _ = try? builder.documents()
        let mark = builder.trackedMark?.mark
        self.init(
            message: message, line: mark?.line ?? 0, column: mark?.column ?? 0,
            path: Self.pathDescription(components, in: root))
    }

    /// `spec.containers[0].image`, using the tree to tell indices from keys.
    static func pathDescription(_ components: [String], in root: JSONValue) -> String {
        var text = ""
        var node: JSONValue? = root
        for component in components {
            if case .array(let elements)? = node, let index = Int(component) {
                text += "[\(index)]"
                node = elements.indices.contains(index) ? elements[index] : nil
            } else {
                if !text.isEmpty { text += "." }
                text += component
                node = node?[component]
            }
        }
        return text
    }
}
