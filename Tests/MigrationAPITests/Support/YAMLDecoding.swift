import YAMLCodec

/// Decodes repository files with the YAML codec the operator uses for policy files.
enum YAMLDecoding {
    /// The file's single document as `T`.
    static func decode<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        try YAML.decode(T.self, from: RepositoryFiles.text(path))
    }
}
