import Foundation

/// Finds which statement made a difference: the files are run again statement by
/// statement (split as psql splits them, by the lexer of Check/) in one psql session on
/// a scratch database prepared the same way, with a snapshot after each statement. It
/// only explains a verdict the Job's own runs already gave; it never decides one.
struct Replay {
    struct Step {
        var location: SourceLocation
        var snapshot: CatalogSnapshot
    }

    var baseline: CatalogSnapshot
    var steps: [Step]
    /// psql's first error line when a statement failed (the steps end there).
    var failure: String?

    static func run(
        _ files: [MigrationFile], on server: ProofServer, database: String, windowStart: String
    ) throws -> Replay {
        let snapshot = CatalogSnapshot.query(windowStart: windowStart)
        // The statements go to the server as the Job's run sends them (QueryText), never
        // through psql's lexer, and as the role the run uses.
        var script = "SET client_min_messages = warning;\n\\encoding UTF8\n"
        var locations: [SourceLocation] = []
        func marker(_ index: Int) -> String {
            "SELECT E'\\x1D' || 'step' || E'\\x1F' || '\(index)' || E'\\x1E';\n"
        }
        script += marker(0) + snapshot
        // Two sets (an upgrade's earlier files, then this one's) may hold a file of one
        // name each: every file has a folder of its own.
        var copies: [String: [UInt8]] = [:]
        for (index, file) in files.enumerated() {
            let directory = "\(index)/\(file.phase.rawValue)"
            copies[directory + "/" + file.name] = Array(file.bytes)
            let lines = QueryText.lines(running: file, in: directory) { piece in
                locations.append(SourceLocation(path: file.displayPath, line: piece.firstLine))
                return [marker(locations.count) + snapshot]
            }
            script += lines.joined(separator: "\n") + "\n"
        }
        let result = try server.run(script: script, database: database, files: copies)
        var groups: [[[String]]] = []
        for record in CatalogSnapshot.records(in: result.stdout) {
            if record.first == "step" {
                groups.append([])
            } else if !groups.isEmpty {
                groups[groups.count - 1].append(record)
            }
        }
        let snapshots = groups.map(CatalogSnapshot.init(records:))
        let baseline = snapshots.first ?? CatalogSnapshot(records: [])
        let steps = zip(locations, snapshots.dropFirst()).map { Step(location: $0, snapshot: $1) }
        let failure = result.status == 0 ? nil : result.oneLineError()
        return Replay(baseline: baseline, steps: steps, failure: failure)
    }

    /// The step of the statement that made `subject`, followed back through renames:
    /// where it first appears under its name while an object of its kind with its last
    /// name part, or with its state, disappears (a table renamed takes its constraints
    /// along), the search goes on for that object, in the steps before.
    func origin(of subject: SnapshotSubject) -> Int? {
        var subject = subject
        var end = steps.count
        while true {
            var start: Int?
            var had = baseline.entries[subject] != nil
            for index in 0..<end {
                let has = steps[index].snapshot.entries[subject] != nil
                if has && !had { start = index }
                had = has
            }
            guard let start else { return nil }
            let previous = start == 0 ? baseline : steps[start - 1].snapshot
            let now = steps[start].snapshot
            let state = now.entries[subject]
            let last = CatalogSnapshot.splitQualified(subject.name).last
            let renamed = previous.entries.first { key, value in
                key.kind == subject.kind && now.entries[key] == nil
                    && (CatalogSnapshot.splitQualified(key.name).last == last || value == state)
            }
            guard let renamed else { return start }
            subject = renamed.key
            end = start
        }
    }

    /// The last statement after which `subject` changed: the one that gave it its final state.
    func lastChange(of subject: SnapshotSubject) -> SourceLocation? {
        var previous = baseline.entries[subject]
        var found: SourceLocation?
        for step in steps {
            let state = step.snapshot.entries[subject]
            if state != previous { found = step.location }
            previous = state
        }
        return found
    }
}
