import Foundation

/// `--fix-file PATH` (drift, `test --from`): a proven fix as new schema files, each
/// written atomically. PATH a directory: the numbered file takes the number after the
/// highest there; PATH a file: the numbered file is PATH. A file whose name carries its
/// own number (drift's `000_…`, which must sort first) goes beside it under that name.
public enum FixFileOutput {
    public struct File: Sendable {
        /// `fix_drift.sql` (numbered when written) or `000_fix_drift_first.sql` (as it is).
        public var name: String
        public var text: String
        public var isNumbered: Bool
    }

    /// The paths written, in the order of `files`.
    public static func write(_ files: [File], to path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        let directoryGiven = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        let parent = (path as NSString).deletingLastPathComponent
        let directory = directoryGiven ? path : (parent.isEmpty ? "." : parent)
        let next = nextNumber(in: directory)
        var written: [String] = []
        for file in files {
            let target = !file.isNumbered ? (directory as NSString).appendingPathComponent(file.name)
                : directoryGiven ? (directory as NSString).appendingPathComponent(next + "_" + file.name) : path
            try OutputFile.write(file.text, to: target)
            written.append(target)
        }
        return written
    }

    /// One more than the highest `NNN_` of the directory's `.sql` files, as three digits.
    static func nextNumber(in directory: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let highest = names.filter { $0.hasSuffix(".sql") }.compactMap { Int($0.prefix { $0.isNumber }) }.max() ?? 0
        return String(format: "%03d", highest + 1)
    }
}
