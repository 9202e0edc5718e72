/// A place in an input file. Lines and columns count from 1.
public struct SourceLocation: Hashable, Sendable, Codable {
    public var path: String
    public var line: Int?
    public var column: Int?

    public init(path: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.line = line
        self.column = column
    }

    /// `path`, `path:line` or `path:line:col`, the form editors and CI annotations follow.
    public var description: String {
        var text = path
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }
}

/// Every error a stage can raise: something wrong with an input, at a place.
/// The executable prints it as one line and exits 2; no stage prints anything.
public protocol InputError: Error, Sendable {
    var location: SourceLocation { get }
    var message: String { get }
}

extension InputError {
    /// The one-line form: `path:line:col: error: message`.
    public var diagnosticLine: String {
        "\(location.description): error: \(message)"
    }
}
