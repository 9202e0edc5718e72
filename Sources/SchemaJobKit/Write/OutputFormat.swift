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
        let objects = manifests.map { jsonValue($0.node) }
        do {
            let data = try JSONSerialization.data(
                withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            throw WriteError(location: SourceLocation(path: "<output>"), message: "cannot write JSON: \(error)")
        }
    }

    /// A YAML node as the value JSONSerialization takes. Scalars keep the type their tag
    /// gives them (`backoffLimit: 4` stays a number); anything JSON has no form for
    /// (a timestamp) is written as the text it was.
    static func jsonValue(_ node: Node) -> Any {
        switch node {
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping {
                object[key.string ?? ""] = jsonValue(value)
            }
            return object
        case .sequence(let sequence):
            return sequence.map(jsonValue)
        case .scalar(let scalar):
            switch Constructor.default.any(from: node) {
            case let value as Int: return value
            case let value as Bool: return value
            case let value as Double: return value
            case is NSNull: return NSNull()
            default: return scalar.string
            }
        default:
            return String(describing: node)
        }
    }
}
