/// Why `schemajob test` could not run at all: no server, a bad flag value, a setup file
/// that does not exist. The place is the file or the thing concerned.
public struct ProveError: InputError, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ place: String, _ message: String) {
        self.location = SourceLocation(path: place)
        self.message = message
    }

    public var description: String { diagnosticLine }
}
