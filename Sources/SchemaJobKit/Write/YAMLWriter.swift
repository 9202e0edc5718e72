import Foundation
import Yams

/// The `write` stage's one YAML emitter: a multi-document stream, keys in template
/// order, no line folding, the same bytes on every machine.
public enum YAMLWriter {
    public static func yaml(_ manifests: [Manifest]) throws -> String {
        try documents(manifests).joined()
    }

    /// The stream as its documents, in order: joined, they are `yaml(manifests)`.
    public static func documents(_ manifests: [Manifest]) throws -> [Substring] {
        var documents: [Substring] = []
        try forEachDocument(manifests) { documents.append($0) }
        return documents
    }

    /// Hands the stream's documents to `body` in order, made a few at a time (as many as
    /// there are cores): a large render is written as it is made, and never holds more
    /// than a batch of its output, rather than every document at once.
    public static func forEachDocument(_ manifests: [Manifest], _ body: (Substring) throws -> Void) throws {
        // Each document is emitted on its own, on every core (the ConfigMaps of a large
        // set are most of the work). libyaml keeps no state from one document to the next
        // but one: a stream whose last scalar is a block kept with its trailing empty lines
        // (`|+`) ends in a `...` line, which in one stream only the last document gets; it
        // is taken off the others. Nodes are values that emitting only reads; each emitter
        // is its own.
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var start = 0
        while start < manifests.count {
            let indices = Array(start..<min(start + batch, manifests.count))
            let documents = indices.concurrentMap { index in
                Result { try document(manifests[index].node) }
            }
            for (index, document) in zip(indices, documents) {
                let text: String
                do {
                    text = try document.get()
                } catch {
                    throw InputError(SourceLocation(path: "<output>"), "cannot write YAML: \(error)")
                }
                if index < manifests.count - 1, text.hasSuffix(streamEndMarker) {
                    try body(text.dropLast(streamEndMarker.count - 1))  // a slice: no copy of the document
                } else {
                    try body(text[...])
                }
            }
            start += batch
        }
    }

    /// What libyaml writes at the end of a stream after a `|+` block: a line of `...`.
    private static let streamEndMarker = "\n...\n"

    static func serialized(_ node: Node) throws -> String {
        try Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true, lineBreak: .ln, explicitStart: true)
    }

    /// One document, as libyaml writes it. A ConfigMap's files are most of a render's
    /// bytes, and libyaml emits a scalar a character at a time, analysing each: when every
    /// file of the ConfigMap is plain text (`LiteralBlock`) and `data` is its last key (as
    /// the template has it), the files are written here as the same literal blocks libyaml
    /// would write, line by line, and libyaml writes the rest of the document around short
    /// stand-ins for them. Any other document is libyaml's to write whole.
    static func document(_ node: Node) throws -> String {
        guard case .mapping(var object) = node, Array(object.keys).last?.string == "data", case .mapping(let data)? = object["data"]
        else { return try serialized(node) }
        var blocks: [LiteralBlock] = []
        var pairs: [(Node, Node)] = []
        pairs.reserveCapacity(data.count)
        for (key, value) in data {
            guard case .scalar(let scalar) = value, scalar.style == .literal else {
                pairs.append((key, value))
                continue
            }
            guard let block = LiteralBlock(scalar.string, number: blocks.count) else { return try serialized(node) }
            pairs.append((key, .scalar(Node.Scalar(block.standIn, yamlTag(.str), .plain))))
            blocks.append(block)
        }
        guard let last = blocks.last else { return try serialized(node) }
        object["data"] = .mapping(Node.Mapping(pairs, data.tag, data.style))
        var skeleton = Array(try serialized(.mapping(object)).utf8)[...]
        // libyaml ends a document with `...` when its last block scalar keeps its final
        // empty lines (`|+`): that is now the last of these, not one before them.
        if skeleton.suffix(5).elementsEqual("\n...\n".utf8) { skeleton = skeleton.dropLast(4) }
        // Each stand-in ends a line, `key: <stand-in>`, in order and once: were any other
        // text of the document to hold one, it is libyaml's to write whole.
        let places = standInPlaces(in: skeleton)
        guard places.count == blocks.count, zip(places, blocks).allSatisfy({ skeleton[$0.0].elementsEqual(": \($0.1.standIn)\n".utf8) })
        else { return try serialized(node) }
        // Made as bytes and checked as UTF-8 once at the end: each line is copied in place.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(skeleton.count + blocks.reduce(0) { $0 + $1.text.utf8.count + $1.lineCount * 6 })
        var rest = skeleton.startIndex
        for (place, block) in zip(places, blocks) {
            let lineStart = skeleton[rest..<place.lowerBound].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? rest
            let keyIndent = skeleton[lineStart...].prefix { $0 == UInt8(ascii: " ") }.count
            bytes.append(contentsOf: skeleton[rest..<place.lowerBound])
            bytes.append(contentsOf: block.indicator.utf8)
            block.appendLines(to: &bytes, indent: keyIndent + 2)
            rest = place.upperBound
        }
        bytes.append(contentsOf: skeleton[rest...])
        if last.keepsFinalLines { bytes.append(contentsOf: streamEndMarkerLine.utf8) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where `: <stand-in>\n` stands in the skeleton, for every stand-in there, in order:
    /// one pass over the bytes, looking at each `:`.
    static func standInPlaces(in skeleton: ArraySlice<UInt8>) -> [Range<Int>] {
        let prefix = Array(": \(LiteralBlock.standInPrefix)".utf8)
        var places: [Range<Int>] = []
        var index = skeleton.startIndex
        while let colon = skeleton[index...].firstIndex(of: UInt8(ascii: ":")) {
            index = colon + 1
            guard skeleton[colon...].starts(with: prefix) else { continue }
            let lineEnd = skeleton[colon...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? skeleton.endIndex
            places.append(colon..<lineEnd)
            index = lineEnd
        }
        return places
    }

    private static let streamEndMarkerLine = "...\n"

    /// A file libyaml would write as a literal block scalar without an indentation
    /// indicator: every line plain text (no tab, no control character, no trailing space,
    /// nothing libyaml escapes or reads as a line break), the first line not empty and not
    /// starting with a space.
    struct LiteralBlock {
        let text: String
        let standIn: String
        let indicator: String
        let lineCount: Int
        /// `|+`: libyaml then ends the document with `...`.
        let keepsFinalLines: Bool

        static let standInPrefix = "schemajob-literal-block-"

        init?(_ text: String, number: Int) {
            guard let lines = text.utf8.withContiguousStorageIfAvailable(Self.lineCount(plainText:))
                ?? Array(text.utf8).withUnsafeBufferPointer(Self.lineCount(plainText:))
            else { return nil }
            let bytes = text.utf8
            // libyaml's chomping: `|-` without a final break, `|` with one, `|+` with more.
            let endsWithBreak = bytes.last == UInt8(ascii: "\n")
            keepsFinalLines = endsWithBreak && bytes.dropLast().last == UInt8(ascii: "\n")
            self.text = text
            self.indicator = keepsFinalLines ? ": |+\n" : endsWithBreak ? ": |\n" : ": |-\n"
            self.lineCount = lines
            self.standIn = Self.standInPrefix + "\(number)-of-this-document"
        }

        /// The number of lines of UTF-8 `bytes` that libyaml writes as a literal block as
        /// they are, or nil. Printable as libyaml has it with its unicode output (ASCII
        /// 0x20–0x7E, U+00A0–U+D7FF, U+E000–U+FFFD but U+FEFF: no character of four bytes),
        /// minus its other line breaks (U+2028, U+2029).
        static func lineCount(plainText bytes: UnsafeBufferPointer<UInt8>) -> Int? {
            guard let first = bytes.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\n") else { return nil }
            var lines = 1
            var index = bytes.startIndex
            let end = bytes.endIndex
            func at(_ offset: Int) -> UInt8 { index + offset < end ? bytes[index + offset] : 0 }
            let base = UnsafeRawPointer(bytes.baseAddress!)
            while index < end {
                // Eight bytes at a time while they are all printable ASCII (0x20-0x7E: no line
                // break, nothing to judge): most of an SQL file's lines are. A word with any
                // other byte is read byte by byte below. (A lead byte before it looked ahead
                // into it already; an ASCII byte is no continuation byte.)
                if index + 8 <= end {
                    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                    let below20 = (word &- ones &* 0x20) & ~word & highs
                    let above7E = ((word &+ ones) | word) & highs
                    if below20 | above7E == 0 {
                        index += 8
                        continue
                    }
                }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\n"):
                    if index > bytes.startIndex && bytes[index - 1] == UInt8(ascii: " ") { return nil }
                    lines += 1
                case 0x20...0x7E:
                    break
                case 0xC2:
                    guard at(1) >= 0xA0 else { return nil }
                case 0xC3...0xDF, 0xE0, 0xE1, 0xE3...0xEC, 0xEE:
                    break
                case 0xE2:
                    if at(1) == 0x80 && (at(2) == 0xA8 || at(2) == 0xA9) { return nil }
                case 0xED:
                    guard at(1) < 0xA0 else { return nil }
                case 0xEF:
                    if (at(1) == 0xBB && at(2) == 0xBF) || (at(1) == 0xBF && (at(2) == 0xBE || at(2) == 0xBF)) { return nil }
                case 0x80...0xBF:
                    break  // a character's continuation, its lead byte already judged
                default:
                    return nil  // a control character, DEL, or a character of four bytes
                }
                index += 1
            }
            if bytes[end - 1] == UInt8(ascii: " ") { return nil }
            return lines
        }

        /// The lines, each indented (an empty line stays empty, as libyaml writes it).
        func appendLines(to output: inout [UInt8], indent: Int) {
            let lineCount = self.lineCount
            func append(_ bytes: UnsafeBufferPointer<UInt8>) {
                let newline = UInt8(ascii: "\n")
                let end = bytes.last == newline ? bytes.count - 1 : bytes.count
                // At most every byte, a margin for each of the block's lines and one last
                // break: written through a pointer, each line found with memchr and copied
                // whole, not byte by byte nor an append per piece.
                let block = [UInt8](unsafeUninitializedCapacity: bytes.count + lineCount * indent + 1) { buffer, count in
                    var next = buffer.baseAddress!
                    var lineStart = 0
                    while true {
                        var lineEnd = end
                        if lineStart < end, let found = memchr(bytes.baseAddress! + lineStart, Int32(newline), end - lineStart) {
                            lineEnd = UnsafeRawPointer(bytes.baseAddress!).distance(to: UnsafeRawPointer(found))
                        }
                        if lineEnd > lineStart {
                            next.initialize(repeating: UInt8(ascii: " "), count: indent)
                            next += indent
                            next.initialize(from: bytes.baseAddress! + lineStart, count: lineEnd - lineStart)
                            next += lineEnd - lineStart
                        }
                        next.initialize(to: newline)
                        next += 1
                        if lineEnd == end { break }
                        lineStart = lineEnd + 1
                    }
                    count = next - buffer.baseAddress!
                }
                output.append(contentsOf: block)
            }
            if text.utf8.withContiguousStorageIfAvailable(append) == nil {
                Array(text.utf8).withUnsafeBufferPointer(append)
            }
        }
    }
}
