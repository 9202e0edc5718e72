import Foundation

/// The one way schemajob writes JSON: every `--format json` (and `hash --json`) encodes
/// a `Codable` value with this encoder. Keys sorted and indented, slashes as they are, a
/// line break at the end: the same value gives the same bytes everywhere, and `jq` or
/// `jsondecode()` read it as they read any JSON. The shape of each command's document
/// is in docs/json.md.
public enum JSONOutput {
    public static func text<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: collapsingEmpty(try encoder.encode(value)), as: UTF8.self) + "\n"
        } catch {
            // Only a number JSON has no form for (a YAML `.nan`) gets here.
            throw InputError("<output>", "cannot write JSON: \(error)")
        }
    }

    /// Foundation indents an empty array or object over two lines; `[]` and `{}` read
    /// better. A line break inside a JSON string is always escaped, so a bracket, a line
    /// break, spaces, a line break, spaces and the closing bracket is only ever layout.
    static func collapsingEmpty(_ data: Data) -> [UInt8] {
        let bytes = [UInt8](data)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            result.append(byte)
            index += 1
            guard byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") else { continue }
            var next = index, breaks = 0
            while next < bytes.count, bytes[next] == UInt8(ascii: "\n") || bytes[next] == UInt8(ascii: " ") {
                if bytes[next] == UInt8(ascii: "\n") { breaks += 1 }
                next += 1
            }
            let closing = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
            if breaks == 2, next < bytes.count, bytes[next] == closing {
                result.append(closing)
                index = next + 1
            }
        }
        return result
    }
}

/// An optional field that JSON writes as `null` when it has no value. A synthesized
/// `Encodable` leaves an absent optional's key out; schemajob's JSON always has every
/// key its docs list, so `jq` and `jsondecode()` read a missing value as null.
@propertyWrapper
public struct JSONNullable<Value: Encodable>: Encodable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension JSONNullable: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }
}

extension KeyedDecodingContainer {
    /// Reading back what schemajob wrote (the ledger's rows, a saved document): a key left
    /// out means no value, as it does for a plain optional, rather than a decoding error.
    public func decode<Value: Decodable>(_ type: JSONNullable<Value>.Type, forKey key: Key) throws -> JSONNullable<Value> {
        try decodeIfPresent(type, forKey: key) ?? JSONNullable(wrappedValue: nil)
    }
}

extension JSONNullable: Sendable where Value: Sendable {}
extension JSONNullable: Equatable where Value: Equatable {}
