import Foundation

/// A directory made for one run (the root a container's volumes are written under),
/// removed with everything in it when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "schemajob", in parent: String = FileManager.default.temporaryDirectory.path) throws {
        var template = Array("\(parent)/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw InputError(parent, "cannot make a temporary directory: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
