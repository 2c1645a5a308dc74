/// Why an OpenAPI v3 schema cannot be compiled into a `StructuralSchema`: the schema is not structural, uses
/// something the API server forbids, or something KubeSim cannot enforce (e.g. a CEL rule outside the
/// supported subset). The message names the offending schema path.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
