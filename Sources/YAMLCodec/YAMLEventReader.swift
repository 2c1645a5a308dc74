internal import CYAML

/// A position in YAML text, 1-based.
struct YAMLMark: Sendable, Equatable {
    var line: Int
    var column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(_ mark: yaml_mark_t) {
        line = Int(mark.line) + 1
        column = Int(mark.column) + 1
    }
}

/// How a scalar was written.
enum YAMLScalarStyle: Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A scalar as libyaml reports it, before resolution.
struct YAMLScalarEvent: Sendable {
    var value: String
    var anchor: String?
    /// The resolved tag (`tag:yaml.org,2002:int` for `!!int`), or nil when the scalar has none.
    var tag: String?
    var style: YAMLScalarStyle
}

/// One libyaml parse event, copied out of C memory.
enum YAMLEvent: Sendable {
    case streamStart
    case streamEnd
    case documentStart
    case documentEnd
    case alias(anchor: String)
    case scalar(YAMLScalarEvent)
    case sequenceStart(anchor: String?, tag: String?)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?)
    case mappingEnd
}

/// Owns one libyaml parser and a copy of its input, and hands out events one at a time.
final class YAMLEventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let initialized: Bool
    private var failed = false

    init(_ text: String) {
        let utf8 = text.utf8
        input = .allocate(capacity: max(utf8.count, 1))
        let (_, written) = input.initialize(from: utf8)
        parser = .allocate(capacity: 1)
        initialized = yaml_parser_initialize(parser) == 1
        if initialized {
            yaml_parser_set_input_string(parser, input.baseAddress, written)
        }
    }

    deinit {
        if initialized { yaml_parser_delete(parser) }
        parser.deallocate()
        input.deallocate()
    }

    /// The next event and where it starts.
    func next() throws(YAMLError) -> (event: YAMLEvent, mark: YAMLMark) {
        guard initialized else { throw YAMLError(message: "cannot initialize the YAML parser", line: 0, column: 0) }
        guard !failed else { throw currentError() }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            failed = true
            throw currentError()
        }
        defer { yaml_event_delete(&event) }
        return (Self.convert(event), YAMLMark(event.start_mark))
    }

    private func currentError() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown error"
        if state.error == YAML_READER_ERROR {
            return YAMLError(
                message: "invalid input at byte \(state.problem_offset): \(problem)",
                line: Int(state.problem_mark.line) + 1, column: Int(state.problem_mark.column) + 1)
        }
        let mark = YAMLMark(state.problem_mark)
        return YAMLError(message: problem, line: mark.line, column: mark.column)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }

    private static func convert(_ event: yaml_event_t) -> YAMLEvent {
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(anchor: string(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalar.length)), as: UTF8.self)
            } ?? ""
            let style: YAMLScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            return .scalar(
                YAMLScalarEvent(value: value, anchor: string(scalar.anchor), tag: string(scalar.tag), style: style))
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            return .sequenceStart(anchor: string(start.anchor), tag: string(start.tag))
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            return .mappingStart(anchor: string(start.anchor), tag: string(start.tag))
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: return .streamEnd
        }
    }
}
