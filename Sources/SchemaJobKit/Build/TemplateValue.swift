import Yams

/// What a `${name}` placeholder stands for. Values are set into parsed YAML nodes,
/// never into YAML text, so no value can add keys, documents, anchors or tags.
public enum TemplateValue {
    case text(String)
    case integer(Int)
    /// A list or mapping schemajob computed (ConfigMap data, volume sources).
    case node(Node)

    init(_ setting: SettingValue) {
        switch setting {
        case .string(let text): self = .text(text)
        case .integer(let number): self = .integer(number)
        case .list(let items): self = .text(items.joined(separator: ","))
        case .map(let entries):
            self = .node(.mapping(Node.Mapping(
                entries.sorted { $0.key < $1.key }.map { (stringNode($0.key), stringNode($0.value)) }, yamlTag(.implicit))))
        }
    }
}

/// A scalar that YAML reads back as this exact string: quoted when plain text could
/// read as anything else; a literal block when it has several lines.
func stringNode(_ text: String) -> Node {
    if text.utf8.contains(UInt8(ascii: "\n")) {
        return .scalar(Node.Scalar(text, yamlTag(.str), .literal))
    }
    return .scalar(Node.Scalar(text, yamlTag(.str), mightNotReadAsString(text) ? .singleQuoted : .any))
}

/// True when a plain scalar might not read back as this string, with YAML 1.2 rules
/// (Yams) or the YAML 1.1 rules Kubernetes' own parser keeps (`yes`, `on`, `0755`, `1:20`).
func mightNotReadAsString(_ text: String) -> Bool {
    if readsAsString(text) { return false }
    // A YAML 1.1 word, or anything Yams itself reads as other than a string.
    if yaml11Words.contains(text.lowercased()) || resolvedTagName(text) != .str { return true }
    // What YAML 1.1 reads as a number and 1.2 does not (`0755`, `1_000`, `1:20`), over the
    // bytes (each character named here is one).
    guard let first = text.utf8.first, "0123456789+-.".utf8.contains(first) else { return false }
    return text.utf8.allSatisfy { "0123456789_:.eE+-xXoObB".utf8.contains($0) }
}

private let yaml11Words: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]

/// Yams' `Constructor.default` is a new constructor, its maps built again, at every use,
/// and each `Tag` made without one names it; `Resolver.default` compiles seven regular
/// expressions on its first use. The tags schemajob makes name the one constructor below
/// and no resolver (their names are never left for a resolver to decide, or are decided
/// by `resolvedTagName`).
/// (Yams does not mark `Constructor` Sendable; it holds only `let` maps, read, never
/// written, after it is made.)
nonisolated(unsafe) let yamlConstructor = Constructor.default

func yamlTag(_ name: Tag.Name) -> Tag {
    Tag(name, .basic, yamlConstructor)
}

/// True when Yams' default resolver would read `text` as a string, told without its
/// regular expressions for most texts: every plain scalar that is not a string (a number,
/// a timestamp, `.inf`, `.nan`, `<<`, `=`) but YAML 1.1's words is written with the bytes
/// of `readsAsNonString` only, so a text with any other byte (a file name's `s`, `q`, `l`)
/// is a string; the rest are asked of the resolver, whose regular expressions cost more
/// than the rest of a small render's build.
private func readsAsString(_ text: String) -> Bool {
    text.utf8.contains(where: { !readsAsNonString.contains($0) }) && !yaml11Words.contains(text.lowercased())
}

/// The tag Yams' default resolver gives an untagged scalar: `readsAsString` first, then
/// the values templates hold most (a count, a port, a flag), which its rules read the
/// same way; the resolver itself for the rest.
func resolvedTagName(_ text: String) -> Tag.Name {
    if readsAsString(text) { return .str }
    let bytes = text.utf8
    if let first = bytes.first, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
        first != UInt8(ascii: "0") || bytes.count == 1
    {
        return .int  // `0` or `[1-9][0-9]*`: the int rule's, and no rule before it matches
    }
    if yamlBoolWords.contains(text) { return .bool }
    if text.isEmpty || yamlNullWords.contains(text) { return .null }
    // Without a digit, the other rules match only `<<`, `=`, `.inf`, `.nan` (signed or
    // cased) and `._`: anything else is a string (`In`, `TCP` cannot be a number).
    if !bytes.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
        !(["<<", "="].contains(text) || text.hasPrefix(".") || text.hasPrefix("+.") || text.hasPrefix("-."))
    {
        return .str
    }
    // Hex digits with a letter no number form but `0x…` holds (a hash, `6238f993fc`).
    func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
    if bytes.allSatisfy(isHexDigit), bytes.contains(where: { [UInt8(ascii: "a"), UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "f")].contains($0 | 0x20) }) {
        return .str
    }
    return Resolver.default.resolveTag(of: Node(text, yamlTag(.implicit)))
}

/// Yams' bool rule (YAML 1.1's words, three spellings each) and null rule, word for word.
private let yamlBoolWords: Set<String> = [
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
]
private let yamlNullWords: Set<String> = ["~", "null", "Null", "NULL"]

/// The bytes a plain scalar that resolves to anything but a string can hold: digits, the
/// letters of hex, octal and binary numbers, of exponents, `.inf` and `.nan`, the
/// timestamps' `T`, `t` and `Z`, signs, `.`, `_`, `:`, spaces and tabs, `<` and `=`.
private let readsAsNonString = Set("0123456789abcdefABCDEFxXoOtTzZiInN+-._: \t<=".utf8)

/// Fills the placeholders of one parsed template.
struct TemplateInstantiation {
    var values: [String: TemplateValue]
    /// The template's path, for messages.
    var path: String

    func instantiate(_ node: Node) throws -> Node {
        switch node {
        case .scalar(let scalar):
            return try instantiate(scalar)
        case .mapping(let mapping):
            let pairs = try mapping.map { ($0.key, try instantiate($0.value)) }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(try sequence.map(instantiate), sequence.tag, sequence.style, sequence.mark))
        case .alias:
            throw InputError(location(of: node, in: path), "templates may not use YAML aliases")
        }
    }

    private func instantiate(_ scalar: Node.Scalar) throws -> Node {
        let pieces = try split(scalar)
        guard pieces.contains(where: { if case .placeholder = $0 { true } else { false } }) else {
            return .scalar(scalar)
        }
        // A scalar that is one placeholder and nothing else takes the value's own type,
        // unless the template quoted it (`"${postgres.port}"` is the string "5432").
        if pieces.count == 1, case .placeholder(let name) = pieces[0] {
            switch try value(name, scalar) {
            case .node(let node): return node
            case .integer(let number) where scalar.style == .plain || scalar.style == .any:
                return .scalar(Node.Scalar(String(number), yamlTag(.int)))  // what the resolver reads any Int's digits as
            case .integer(let number): return .scalar(Node.Scalar(String(number), yamlTag(.str), .doubleQuoted))
            case .text(let text) where scalar.style == .doubleQuoted || scalar.style == .singleQuoted:
                return .scalar(Node.Scalar(text, yamlTag(.str), scalar.style))
            case .text(let text): return stringNode(text)
            }
        }
        var text = ""
        for piece in pieces {
            switch piece {
            case .literal(let literal): text += literal
            case .placeholder(let name):
                switch try value(name, scalar) {
                case .text(let value): text += value
                case .integer(let number): text += String(number)
                case .node:
                    throw InputError(location(of: .scalar(scalar), in: path),
                                     "${\(name)} is a list or mapping and must stand alone as a value")
                }
            }
        }
        if scalar.style == .doubleQuoted || scalar.style == .singleQuoted {
            return .scalar(Node.Scalar(text, yamlTag(.str), scalar.style))
        }
        return stringNode(text)
    }

    private func value(_ name: String, _ scalar: Node.Scalar) throws -> TemplateValue {
        guard let value = values[name] else {
            let known = values.keys.sorted().joined(separator: ", ")
            throw InputError(location(of: .scalar(scalar), in: path),
                             "unknown placeholder ${\(name)} (known: \(known))")
        }
        return value
    }

    enum Piece {
        case literal(String)
        case placeholder(String)
    }

    /// `db-migration-${shortHash}` → literal, placeholder.
    private func split(_ scalar: Node.Scalar) throws -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(scalar.string)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex {
                pieces.append(.literal(String(rest[..<start.lowerBound])))
            }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw InputError(location(of: .scalar(scalar), in: path), "unterminated placeholder: '${' without '}'")
            }
            pieces.append(.placeholder(String(rest[start.upperBound..<end])))
            rest = rest[rest.index(after: end)...]
        }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        return pieces
    }
}
