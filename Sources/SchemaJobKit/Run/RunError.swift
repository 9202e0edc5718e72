/// Why a container of the rendered manifests could not be run locally: the place is the
/// object or container concerned (`Job/db-migration-…`, `container migrate`).
public struct RunError: InputError, Equatable {
    public var location: SourceLocation
    public var message: String

    public init(_ place: String, _ message: String) {
        self.location = SourceLocation(path: place)
        self.message = message
    }
}
