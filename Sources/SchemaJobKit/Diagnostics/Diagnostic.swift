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

/// The one error every stage raises: something wrong with an input, at a place. The
/// executable prints it as one line and exits 2; no stage prints anything. The place
/// already says which input it was (a file, `--set`, `container migrate`, `--dsn`), so
/// there is no kind of error to tell apart beside it.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// A place that is not a file: `container migrate`, `--dsn`, `pg_dump`.
    public init(_ place: String, _ message: String) {
        self.init(SourceLocation(path: place), message)
    }

    /// The one-line form: `path:line:col: error: message`.
    public var diagnosticLine: String {
        "\(location.description): error: \(message)"
    }

    public var description: String { diagnosticLine }
}
