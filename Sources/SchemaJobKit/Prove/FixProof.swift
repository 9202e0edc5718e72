import Foundation

/// What became of a fix set tried on scratch databases.
public struct FixOutcome: Sendable {
    /// Where the fix was put: the set's next schema file (`database/schema/004_upgrade_fix.sql`).
    public var path: String
    /// What still differs between the upgraded copy and a fresh install, both with the fix.
    public var remaining: [SnapshotChange]
    /// psql's error when the migration with the fix failed; nothing was compared then.
    public var failure: String?
    /// The statement that failed (drift moves what it needs into a file that sorts first).
    public var failedAt: SourceLocation?

    public var isProven: Bool { failure == nil && remaining.isEmpty }
}

extension Proof {
    /// The one way a fix set is proven (`test --from` uses it; `drift` and `plan` can too):
    /// `script` becomes the last schema file of `set`, as the user is told to add it, and
    /// the Job's own migration of that set runs twice on a copy of `upgraded` (the file
    /// runs on every deploy from now on, so it must also survive running again) and once
    /// on an empty database. The two are compared as `test` compares; `upgraded` itself
    /// is left as it was.
    static func proveFix(
        _ script: String, appendedTo set: MigrationSet, upgraded: String, session: Session,
        render: (MigrationSet) throws -> Rendering
    ) throws -> FixOutcome {
        try proveFix(adding: [fixFile(script, after: set)], to: set, upgraded: upgraded, session: session, render: render) {
            $0.changes(to: $1)
        }
    }

    /// The same proof for files that join the set in their places by name (drift's fix
    /// can have one that sorts first), with `remaining` saying what still counts as a
    /// difference between the fresh install and the copy (drift leaves out what it
    /// leaves out of its findings).
    static func proveFix(
        adding files: [MigrationFile], to set: MigrationSet, upgraded: String, session: Session,
        render: (MigrationSet) throws -> Rendering,
        remaining: (_ fresh: CatalogSnapshot, _ copy: CatalogSnapshot) -> [SnapshotChange]
    ) throws -> FixOutcome {
        var fixed = set
        fixed.files = (set.files + files).sorted { lhs, rhs in
            lhs.phase != rhs.phase ? lhs.phase < rhs.phase : DatabaseReader.byteOrder(lhs.name, rhs.name)
        }
        let path = files.last?.displayPath ?? set.directory
        let rendering = try render(fixed)
        let copy = try session.server.copyDatabase(upgraded)
        for run in 1...2 {
            let applied = try session.apply(rendering, to: copy)
            guard applied.outcome == .done else {
                let failed = failure(applied, set: fixed, when: run == 1 ? "on the upgraded database" : "when it runs again")
                return FixOutcome(
                    path: path, remaining: [], failure: "\(failed.location.description): \(failed.message)",
                    failedAt: failed.location.line == nil ? nil : failed.location)
            }
        }
        let fresh = try session.database()
        let installed = try session.apply(rendering, to: fresh)
        guard installed.outcome == .done else {
            let failed = failure(installed, set: fixed, when: "on an empty database")
            return FixOutcome(
                path: path, remaining: [], failure: "\(failed.location.description): \(failed.message)",
                failedAt: failed.location.line == nil ? nil : failed.location)
        }
        return FixOutcome(
            path: path, remaining: remaining(try session.snapshot(fresh), try session.snapshot(copy)), failure: nil,
            failedAt: nil)
    }

    /// The set's next schema file: one past the highest number in use, in its width.
    static func fixFile(_ script: String, after set: MigrationSet) -> MigrationFile {
        let schemaFiles = set.files.filter { $0.phase == .schema }
        let numbers = schemaFiles.map { $0.name.prefix { $0.isNumber } }.filter { !$0.isEmpty }
        let width = numbers.map(\.count).max() ?? 3
        let next = (numbers.compactMap { Int($0) }.max() ?? 0) + 1
        let digits = String(next)
        let name = String(repeating: "0", count: max(0, width - digits.count)) + digits + "_upgrade_fix.sql"
        let directory = schemaFiles.first.map { ($0.displayPath as NSString).deletingLastPathComponent }
            ?? (set.directory as NSString).appendingPathComponent("schema")
        return MigrationFile(
            phase: .schema, name: name, displayPath: (directory as NSString).appendingPathComponent(name), text: script)
    }
}
