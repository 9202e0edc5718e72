/// Rules about the files themselves: their names and the bytes the ConfigMap will hold.
enum LayoutRules {
    /// The rules about names and entries; `characterFindings` is per file, and `Linter`
    /// runs it with the file's other checks.
    static func check(_ set: MigrationSet) -> [Finding] {
        var findings: [Finding] = []
        for phase in Phase.allCases {
            var firstWithNumber: [Substring: String] = [:]
            for file in set.files(in: phase) {
                let location = SourceLocation(path: file.displayPath)
                guard isWellNamed(file.name) else {
                    findings.append(Finding(.fileName, at: location, "\(file.name) is not named NNN_name.sql (three digits from 001, an underscore, a lower-case snake_case name; 000_fix_name.sql for a fix that sorts first)"))
                    continue
                }
                let number = file.name.prefix(3)
                if let first = firstWithNumber[number] {
                    findings.append(Finding(.duplicateNumber, at: location, "\(file.name) has the number \(number), as \(first) does"))
                } else {
                    firstWithNumber[number] = file.name
                }
            }
        }
        for entry in set.ignoredEntries {
            let hidden = entry.split(separator: "/").last?.hasPrefix(".") == true
            findings.append(Finding(.notSQL, at: SourceLocation(path: entry),
                                    hidden ? "hidden entry: it is never applied" : "not a .sql file: it is never applied"))
        }
        return findings
    }

    /// `NNN_snake_case.sql`: three digits, then lower-case words joined by `_`. `000` is
    /// the fix slot and only `000_fix_….sql` may take it: a fix that must run before every
    /// numbered file (drift's, for a column an earlier statement needs), not a first file.
    static func isWellNamed(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count > 8, bytes[0..<3].allSatisfy(isDigit), bytes[3] == underscore, name.hasSuffix(".sql"),
            bytes[0..<3] != [48, 48, 48] || name.hasPrefix("000_fix_")
        else { return false }
        let words = bytes[4..<(bytes.count - 4)].split(separator: underscore, omittingEmptySubsequences: false)
        return words.allSatisfy { word in
            !word.isEmpty && word.allSatisfy { isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        }
    }

    /// Trailing whitespace, tabs, control characters and the few others libyaml will not
    /// print raw (a BOM, line separators, anything beyond U+FFFF): each forces it out of
    /// the literal block (`|`) that keeps the SQL readable in the ConfigMap. Other
    /// non-ASCII text (`café`, `日本`) stays in the literal block and is fine.
    /// One finding of each kind per line, at its first column.
    static func characterFindings(_ file: MigrationFile) -> [Finding] {
        // Lines whose bytes are all printable ASCII and do not end in a space (the usual
        // line) need no closer look; the others are found in one pass over the bytes.
        // Split the bytes, not the Characters: Swift reads "\r\n" as one Character.
        var suspects: [(number: Int, line: String)] = []
        var text = file.text
        text.withUTF8 { bytes in
            var lineNumber = 1
            var lineStart = 0
            var plain = true
            var index = 0
            while index <= bytes.count {
                defer { index += 1 }
                // Eight bytes at a time while they are all printable ASCII (no control byte,
                // so no line break, and none from 0x7F up): such bytes change nothing here.
                while index + 8 <= bytes.count {
                    let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    let low = word & 0x7F7F_7F7F_7F7F_7F7F
                    let high: UInt64 = 0x8080_8080_8080_8080
                    // A byte's high bit: set below for 0x20 and up, and for 0x7F and up.
                    let control = ~((low &+ 0x6060_6060_6060_6060) | word) & high
                    let beyondASCII = ((low &+ 0x0101_0101_0101_0101) | word) & high
                    guard control | beyondASCII == 0 else { break }
                    index += 8
                }
                let byte = index < bytes.count ? bytes[index] : UInt8(ascii: "\n")
                if byte == UInt8(ascii: "\n") {
                    // An empty line has nothing to find.
                    if !plain || (index > lineStart && bytes[index - 1] == space) {
                        suspects.append((lineNumber, String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<index]), as: UTF8.self)))
                    }
                    lineNumber += 1
                    lineStart = index + 1
                    plain = true
                } else if byte < space || byte >= 0x7F {
                    plain = false
                }
            }
        }
        var findings: [Finding] = []
        for (lineNumber, line) in suspects {
            // A line whose every scalar YAML keeps, and whose last is no space, has nothing
            // to find (the usual suspect: `café` in a comment): no Characters made of it. A
            // tab or a carriage return is never kept, so only a space can end a trailing run.
            if line.unicodeScalars.last != " ", line.unicodeScalars.allSatisfy(isLiteralSafe) { continue }
            func location(_ column: Int) -> SourceLocation {
                SourceLocation(path: file.displayPath, line: lineNumber, column: column)
            }
            let characters = Array(line)
            var trailingStart = characters.count
            while trailingStart > 0, [" ", "\t", "\r"].contains(characters[trailingStart - 1]) { trailingStart -= 1 }
            if trailingStart < characters.count {
                let message = characters.last == "\r" && trailingStart == characters.count - 1
                    ? "line ends with a carriage return (CRLF line endings)"
                    : "trailing whitespace"
                findings.append(Finding(.trailingWhitespace, at: location(trailingStart + 1), message))
            }
            if let column = characters[..<trailingStart].firstIndex(where: { isUnsafe($0) }) {
                findings.append(Finding(.unsafeCharacter, at: location(column + 1), describe(characters[column])))
            }
        }
        return findings
    }

    static func isUnsafe(_ character: Character) -> Bool {
        character.unicodeScalars.contains { !isLiteralSafe($0) }
    }

    /// What libyaml's emitter keeps in a literal block: printable ASCII, and the
    /// printable Basic Multilingual Plane less the BOM and the line/paragraph separators.
    static func isLiteralSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x20...0x7E: true
        case 0x2028, 0x2029, 0xFEFF: false
        case 0xA0...0xD7FF, 0xE000...0xFFFD: true
        default: false
        }
    }

    static func describe(_ character: Character) -> String {
        if character == "\t" { return "tab character" }
        let codes = character.unicodeScalars.map { "U+" + String(String($0.value, radix: 16, uppercase: true).leftPadded(to: 4)) }
        let control = character.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        if !control {
            return "character '\(character)' (\(codes.joined(separator: " "))) that YAML cannot keep in a literal block"
        }
        return "control character \(codes.joined(separator: " "))"
    }
}

private let underscore = UInt8(ascii: "_")
private let space = UInt8(ascii: " ")

private func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
