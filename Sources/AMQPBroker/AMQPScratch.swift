internal import CRabbitMQ
import Glibc
import OperatorCore

/// Scratch C memory for one librabbitmq call: strings, bodies and field tables copied into `malloc`ed
/// buffers that live exactly as long as the ``withAMQPScratch(_:)`` scope, so no pointer escapes it.
final class AMQPScratch {
    private var allocations: [UnsafeMutableRawPointer] = []

    fileprivate init() {}

    deinit {
        for allocation in allocations { free(allocation) }
    }

    /// The UTF-8 bytes of `string` (not NUL-terminated; AMQP strings carry their length).
    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    /// A copy of `array`.
    func bytes(_ array: [UInt8]) -> amqp_bytes_t {
        guard !array.isEmpty else { return amqp_empty_bytes }
        let memory = allocate(array.count)
        array.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return amqp_bytes_t(len: array.count, bytes: memory)
    }

    /// A NUL-terminated copy of `string`, for the few calls that take C strings.
    func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8) + [0]
        let memory = allocate(utf8.count)
        utf8.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return UnsafePointer(memory.assumingMemoryBound(to: CChar.self))
    }

    /// An AMQP field table holding `fields` (keys sorted, for stable encoding).
    func table(_ fields: [String: BrokerFieldValue]) -> amqp_table_t {
        guard !fields.isEmpty else { return amqp_empty_table }
        let entries = allocate(MemoryLayout<amqp_table_entry_t>.stride * fields.count)
            .bindMemory(to: amqp_table_entry_t.self, capacity: fields.count)
        for (index, key) in fields.keys.sorted().enumerated() {
            var value = amqp_field_value_t()
            switch fields[key]! {
            case .string(let text):
                value.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                value.value.bytes = bytes(text)
            case .integer(let number):
                value.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                value.value.i64 = number
            case .boolean(let flag):
                value.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
                value.value.boolean = flag ? 1 : 0
            }
            (entries + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: value))
        }
        return amqp_table_t(num_entries: Int32(fields.count), entries: entries)
    }

    /// A table with one nested table (`capabilities` in client properties) besides plain fields.
    func table(_ fields: [String: BrokerFieldValue], nested name: String, _ nested: [String: BrokerFieldValue])
        -> amqp_table_t
    {
        let plain = table(fields)
        let count = Int(plain.num_entries) + 1
        let entries = allocate(MemoryLayout<amqp_table_entry_t>.stride * count)
            .bindMemory(to: amqp_table_entry_t.self, capacity: count)
        for index in 0..<Int(plain.num_entries) {
            (entries + index).initialize(to: plain.entries[index])
        }
        var value = amqp_field_value_t()
        value.kind = UInt8(AMQP_FIELD_KIND_TABLE.rawValue)
        value.value.table = table(nested)
        (entries + count - 1).initialize(to: amqp_table_entry_t(key: bytes(name), value: value))
        return amqp_table_t(num_entries: Int32(count), entries: entries)
    }

    private func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        guard let memory = malloc(max(count, 1)) else { fatalError("out of memory") }
        allocations.append(memory)
        return memory
    }
}

/// Runs `body` with scratch C memory that is freed when it returns.
func withAMQPScratch<Result, Failure: Error>(
    _ body: (AMQPScratch) throws(Failure) -> Result
) throws(Failure) -> Result {
    let scratch = AMQPScratch()
    return try withExtendedLifetime(scratch) { () throws(Failure) -> Result in try body(scratch) }
}

/// Decodes the field types ``BrokerFieldValue`` can hold from an AMQP table; others are left out.
func decodeFieldTable(_ table: amqp_table_t) -> [String: BrokerFieldValue] {
    guard table.num_entries > 0, let entries = table.entries else { return [:] }
    var fields: [String: BrokerFieldValue] = [:]
    for index in 0..<Int(table.num_entries) {
        let entry = entries[index]
        let value = entry.value
        let decoded: BrokerFieldValue?
        switch UInt32(value.kind) {
        case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: decoded = .string(value.value.bytes.string)
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: decoded = .boolean(value.value.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: decoded = .integer(Int64(value.value.i8))
        case AMQP_FIELD_KIND_U8.rawValue: decoded = .integer(Int64(value.value.u8))
        case AMQP_FIELD_KIND_I16.rawValue: decoded = .integer(Int64(value.value.i16))
        case AMQP_FIELD_KIND_U16.rawValue: decoded = .integer(Int64(value.value.u16))
        case AMQP_FIELD_KIND_I32.rawValue: decoded = .integer(Int64(value.value.i32))
        case AMQP_FIELD_KIND_U32.rawValue: decoded = .integer(Int64(value.value.u32))
        case AMQP_FIELD_KIND_I64.rawValue: decoded = .integer(value.value.i64)
        case AMQP_FIELD_KIND_U64.rawValue, AMQP_FIELD_KIND_TIMESTAMP.rawValue:
            decoded = value.value.u64 <= UInt64(Int64.max) ? .integer(Int64(value.value.u64)) : nil
        default: decoded = nil
        }
        if let decoded { fields[entry.key.string] = decoded }
    }
    return fields
}
