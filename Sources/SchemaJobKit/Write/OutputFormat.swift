import Foundation
import Yams

/// The forms `render` writes: a YAML stream for kubectl, or one JSON array for
/// OpenTofu's `jsondecode()` (each element a `kubernetes_manifest`).
public enum OutputFormat: String, CaseIterable, Sendable {
    case yaml, json
}

/// The `write` stage's JSON: the same objects as the YAML, keys sorted, so the same
/// render gives the same bytes everywhere.
public enum JSONWriter {
    public static func json(_ manifests: [Manifest]) throws -> String {
        try JSONOutput.text(manifests.map { JSONValue($0.node) })
    }
}

/// A YAML node as JSON. Scalars keep the type their tag gives them (`backoffLimit: 4`
/// stays a number); anything JSON has no form for (a timestamp) is written as the text
/// it was.
public enum JSONValue: Encodable, Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(_ node: Node) {
        switch node {
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                object[key.string ?? ""] = JSONValue(value)
            }
            self = .object(object)
        case .sequence(let sequence):
            self = .array(sequence.map(JSONValue.init))
        case .scalar(let scalar):
            switch Constructor.default.any(from: node) {
            case let value as Int: self = .int(value)
            case let value as Bool: self = .bool(value)
            case let value as Double: self = .double(value)
            case is NSNull: self = .null
            default: self = .string(scalar.string)
            }
        default:
            self = .string(String(describing: node))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let object): try object.encode(to: encoder)
        case .array(let array): try array.encode(to: encoder)
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .bool(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            case .double(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            case .object, .array: break
            }
        }
    }
}
