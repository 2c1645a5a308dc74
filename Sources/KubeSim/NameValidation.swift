/// Object name rules (k8s.io/apimachinery/pkg/util/validation) with the API server's messages.
enum NameValidation {
    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        + "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
        + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    /// The name part of a qualified name (label keys, `reportingController`): `IsQualifiedName`.
    static let qualifiedNamePartMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

    /// The problem with `name`, or nil when valid.
    static func check(_ name: String, rule: NameRule) -> String? {
        switch rule {
        case .subdomain:
            if name.utf8.count > 253 { return "must be no more than 253 characters" }
            return isSubdomain(name) ? nil : subdomainMessage
        case .label:
            if name.utf8.count > 63 { return "must be no more than 63 characters" }
            return isLabel(name) ? nil : labelMessage
        case .pathSegment:
            if name == "." || name == ".." { return "may not be '\(name)'" }
            let problems = ["/", "%"].filter { name.contains($0) }.map { "may not contain '\($0)'" }
            return problems.isEmpty ? nil : problems.joined(separator: ", ")
        }
    }

    static func isLabel<S: StringProtocol>(_ s: S) -> Bool {
        let u = Array(s.utf8)
        guard let f = u.first, let l = u.last else { return false }
        func alnum(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        return alnum(f) && alnum(l) && u.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func isSubdomain(_ s: String) -> Bool {
        !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel($0) }
    }
}
