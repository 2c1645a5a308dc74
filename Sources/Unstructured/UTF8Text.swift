/// UTF-8 text from bytes, or where the bytes stop being UTF-8.
public enum UTF8Text {
    /// Why bytes are not UTF-8 text: the first byte of the first invalid sequence and its offset (from 0).
    public struct InvalidByte: Error, Hashable, Sendable, CustomStringConvertible {
        public var offset: Int
        public var byte: UInt8

        public var description: String {
            "not UTF-8: byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(offset) does not start a valid UTF-8 sequence"
        }
    }

    /// `bytes` as a string; throws ``InvalidByte`` at the first sequence that is not valid UTF-8 (overlong
    /// forms, surrogates and truncated sequences included), instead of replacing it.
    public static func decode(_ bytes: [UInt8]) throws(InvalidByte) -> String {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return String(decoding: bytes, as: UTF8.self)
            case .error: throw InvalidByte(offset: offset, byte: bytes[offset])
            }
        }
    }
}
