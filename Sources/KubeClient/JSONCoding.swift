import Foundation
import Unstructured

/// JSON encoding and decoding of typed objects to and from the bytes on the wire.
///
/// Decoding reads the bytes directly (`JSONBytesDecoder`: no intermediate tree, strings made only for the
/// members a type reads); encoding uses Foundation's `JSONEncoder`.
enum JSONCoding {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONBytesDecoder().decode(type, from: bytes)
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Decodes, turning any failure into `KubeClientError.decoding` with the type and reason.
    static func decodeResponse<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(KubeClientError) -> T {
        do {
            return try decode(type, from: bytes)
        } catch {
            throw .decoding("\(T.self): \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String { DecodingProblem.describe(error) }
}
