/// Builds field paths in Kubernetes notation: `spec.items[2].name`, map keys as `spec.labels[foo]`.
enum FieldPath {
    static func child(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    static func index(_ path: String, _ i: Int) -> String {
        "\(path)[\(i)]"
    }

    static func key(_ path: String, _ key: String) -> String {
        "\(path)[\(key)]"
    }

    /// The schema location of a node for compile errors: `openAPIV3Schema.properties[spec].type`.
    static func schemaChild(_ path: String, _ keyword: String) -> String {
        "\(path).\(keyword)"
    }
}
