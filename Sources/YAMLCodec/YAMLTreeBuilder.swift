import Unstructured

/// A parsed document and whether it was empty (nothing but comments or whitespace).
struct YAMLDocument {
    var value: JSONValue
    var isEmpty: Bool
    var mark: YAMLMark
}

/// Builds `JSONValue` trees from libyaml events: resolves scalars, expands aliases and merge keys,
/// and rejects duplicate keys, non-scalar keys, unknown aliases, alias bombs and runaway nesting.
struct YAMLTreeBuilder {
    /// The most nodes aliases may expand to in one stream.
    static let maxAliasExpansion = 1_000_000
    /// The deepest nesting of sequences and mappings accepted.
    static let maxDepth = 1_000

    private let reader: YAMLEventReader
    private var anchors: [String: (value: JSONValue, nodeCount: Int)] = [:]
    private var aliasExpansion = 0
    private var depth = 0

    /// When set, the position of the deepest node on this path (of key strings and indices) is recorded.
    private var trackedPath: [String]?
    private var currentPath: [String] = []
    private(set) var trackedMark: (depth: Int, mark: YAMLMark)?

    init(text: String, trackingPath: [String]? = nil) {
        reader = YAMLEventReader(text)
        trackedPath = trackingPath
    }

    /// Reads the whole stream.
    mutating func documents() throws(YAMLError) -> [YAMLDocument] {
        guard case .streamStart = try reader.next().event else {
            throw YAMLError(message: "expected the start of a YAML stream", line: 1, column: 1)
        }
        var result: [YAMLDocument] = []
        while true {
            let (event, mark) = try reader.next()
            switch event {
            case .streamEnd:
                return result
            case .documentStart:
                anchors = [:]
                let (rootEvent, rootMark) = try reader.next()
                var isEmpty = false
                if case .scalar(let scalar) = rootEvent, scalar.style == .plain, scalar.value.isEmpty,
                    scalar.tag == nil, scalar.anchor == nil
                {
                    isEmpty = true
                }
                let (value, _) = try node(rootEvent, at: rootMark)
                guard case .documentEnd = try reader.next().event else {
                    throw YAMLError(message: "expected the end of the document", line: mark.line, column: mark.column)
                }
                result.append(YAMLDocument(value: value, isEmpty: isEmpty, mark: mark))
            default:
                throw YAMLError(message: "expected a document", line: mark.line, column: mark.column)
            }
        }
    }

    private mutating func visit(_ mark: YAMLMark) {
        guard let target = trackedPath, currentPath.count <= target.count,
            currentPath.count >= (trackedMark?.depth ?? 0), target.starts(with: currentPath)
        else { return }
        trackedMark = (currentPath.count, mark)
    }

    /// One node and the number of nodes in it.
    private mutating func node(_ event: YAMLEvent, at mark: YAMLMark) throws(YAMLError) -> (JSONValue, Int) {
        if trackedPath != nil { visit(mark) }
        switch event {
        case .scalar(let scalar):
            let value = try YAMLScalarResolver.resolve(scalar, at: mark)
            if let anchor = scalar.anchor { anchors[anchor] = (value, 1) }
            return (value, 1)
        case .alias(let name):
            guard let target = anchors[name] else {
                throw YAMLError(message: "unknown anchor '\(name)' referenced", line: mark.line, column: mark.column)
            }
            aliasExpansion += target.nodeCount
            if aliasExpansion > Self.maxAliasExpansion {
                throw YAMLError(
                    message: "aliases expand to more than \(Self.maxAliasExpansion) nodes (possible alias bomb)",
                    line: mark.line, column: mark.column)
            }
            return target
        case .sequenceStart(let anchor, let tag):
            if let tag, tag != "!", tag != YAMLScalarResolver.seqTag, tag.hasPrefix(YAMLScalarResolver.tagPrefix) {
                throw YAMLError(message: "a sequence cannot have the tag \(tag)", line: mark.line, column: mark.column)
            }
            try enter(mark)
            defer { depth -= 1 }
            let result = try sequence()
            if let anchor { anchors[anchor] = result }
            return result
        case .mappingStart(let anchor, let tag):
            if let tag, tag != "!", tag != YAMLScalarResolver.mapTag, tag.hasPrefix(YAMLScalarResolver.tagPrefix) {
                throw YAMLError(message: "a mapping cannot have the tag \(tag)", line: mark.line, column: mark.column)
            }
            try enter(mark)
            defer { depth -= 1 }
            let result = try mapping()
            if let anchor { anchors[anchor] = result }
            return result
        default:
            throw YAMLError(message: "unexpected event \(event)", line: mark.line, column: mark.column)
        }
    }

    private mutating func enter(_ mark: YAMLMark) throws(YAMLError) {
        depth += 1
        if depth > Self.maxDepth {
            throw YAMLError(
                message: "document nested more than \(Self.maxDepth) levels deep", line: mark.line, column: mark.column)
        }
    }

    private mutating func sequence() throws(YAMLError) -> (JSONValue, Int) {
        var elements: [JSONValue] = []
        var count = 1
        while true {
            let (event, mark) = try reader.next()
            if case .sequenceEnd = event { break }
            if trackedPath != nil { currentPath.append(String(elements.count)) }
            let (element, elementCount) = try node(event, at: mark)
            if trackedPath != nil { currentPath.removeLast() }
            elements.append(element)
            count += elementCount
        }
        return (.array(elements), count)
    }

    private enum MappingEntry {
        case member(String)
        case merge([JSONObject])
    }

    private mutating func mapping() throws(YAMLError) -> (JSONValue, Int) {
        var explicit = JSONObject()
        var explicitLines: [Int] = []  // The line of each member of `explicit`, in the same order.
        var entries: [MappingEntry] = []
        var count = 1
        while true {
            let (keyEvent, keyMark) = try reader.next()
            if case .mappingEnd = keyEvent { break }
            let isMerge: Bool
            if case .scalar(let scalar) = keyEvent, scalar.value == "<<",
                (scalar.tag == nil && scalar.style == .plain) || scalar.tag == YAMLScalarResolver.mergeTag
            {
                isMerge = true
            } else {
                isMerge = false
            }
            let key = try keyString(keyEvent, at: keyMark)

            let (valueEvent, valueMark) = try reader.next()
            if trackedPath != nil { currentPath.append(key) }
            let (value, valueCount) = try node(valueEvent, at: valueMark)
            if trackedPath != nil { currentPath.removeLast() }
            count += valueCount

            if isMerge {
                entries.append(.merge(try mergeSources(value, at: valueMark)))
                continue
            }
            if let existing = explicit.index(forKey: key) {
                throw YAMLError(
                    message: "duplicate key \(key.debugDescription) (first defined on line \(explicitLines[existing]))",
                    line: keyMark.line, column: keyMark.column)
            }
            explicitLines.append(keyMark.line)
            explicit[key] = value
            entries.append(.member(key))
        }

        if explicit.count == entries.count { return (.object(explicit), count) }

        // Merge keys: explicit keys win, then earlier merge sources over later ones.
        var result = JSONObject()
        for entry in entries {
            switch entry {
            case .member(let key):
                result[key] = explicit[key]
            case .merge(let sources):
                for source in sources {
                    for (key, value) in source where explicit[key] == nil && result[key] == nil {
                        result[key] = value
                    }
                }
            }
        }
        return (.object(result), count)
    }

    private func mergeSources(_ value: JSONValue, at mark: YAMLMark) throws(YAMLError) -> [JSONObject] {
        switch value {
        case .object(let object):
            return [object]
        case .array(let elements):
            var sources: [JSONObject] = []
            for element in elements {
                guard case .object(let object) = element else {
                    throw YAMLError(
                        message: "a merge key (<<) sequence may only contain mappings", line: mark.line,
                        column: mark.column)
                }
                sources.append(object)
            }
            return sources
        default:
            throw YAMLError(
                message: "a merge key (<<) needs a mapping or a sequence of mappings", line: mark.line,
                column: mark.column)
        }
    }

    /// The string form of a mapping key; keys must be scalars (or aliases of scalars).
    private mutating func keyString(_ event: YAMLEvent, at mark: YAMLMark) throws(YAMLError) -> String {
        switch event {
        case .scalar, .alias:
            let savedPath = trackedPath
            trackedPath = nil
            defer { trackedPath = savedPath }
            let (value, _) = try node(event, at: mark)
            if let key = YAMLScalarResolver.keyString(value) { return key }
        default:
            break
        }
        throw YAMLError(
            message: "mapping keys must be scalars (a sequence or mapping cannot be a key)", line: mark.line,
            column: mark.column)
    }
}
