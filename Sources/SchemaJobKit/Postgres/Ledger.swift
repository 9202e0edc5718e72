import Foundation

/// `schemajob history`: reads the ledger the migration writes (`schemajob.runs`,
/// `schemajob.run_files`, created in templates/scripts/migration.psql) with local psql.
///
/// The queries live here rather than in templates/: they never run in the cluster, and a
/// file under templates/ would enter the content hash. psql prints the answer as one JSON
/// value, so nothing depends on psql's table layout or the server's locale.
public enum Ledger {
    /// One run of the migration, as the ledger recorded it.
    public struct Run: Codable, Sendable, Equatable {
        public var runID: Int
        public var hash: String
        public var startedAt: String
        public var finishedAt: String
        public var durationSeconds: Double
        @JSONNullable public var pod: String?
        public var user: String
        public var fileCount: Int
        /// The schemajob that wrote the Job (nil for runs recorded before the ledger kept it).
        @JSONNullable public var schemajobVersion: String?

        enum CodingKeys: String, CodingKey {
            case hash, pod, user
            case schemajobVersion = "schemajob_version"
            case runID = "run_id", startedAt = "started_at", finishedAt = "finished_at"
            case durationSeconds = "duration_seconds", fileCount = "file_count"
        }
    }

    /// One file of a run, compared with the local `database/`.
    public struct RunFile: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable {
            /// The local file has the bytes that ran.
            case same
            /// The local file differs from what ran.
            case changed
            /// The file ran, and is no longer in database/.
            case removed
            /// The file is in database/ and was not part of the run.
            case added
        }

        public var phase: String
        public var name: String
        /// What ran (nil for a file added since).
        @JSONNullable public var sha256: String?
        /// What database/ holds now (nil for a file removed since).
        @JSONNullable public var localSHA256: String?
        public var status: Status

        enum CodingKeys: String, CodingKey {
            case phase, name, sha256, status
            case localSHA256 = "local_sha256"
        }
    }

    static let noLedger = "schemajob: no ledger"

    static let runsQuery = """
        SELECT to_regclass('schemajob.runs') IS NOT NULL AS has_ledger \\gset
        \\if :has_ledger
        SELECT coalesce(json_agg(run ORDER BY run.run_id DESC), '[]')
          FROM (SELECT r.run_id, r.hash, r.started_at, r.finished_at,
                       extract(epoch FROM r.finished_at - r.started_at)::float8 AS duration_seconds,
                       r.pod, r.db_user AS user,
                       -- through jsonb: a ledger older than the column has none
                       to_jsonb(r) ->> 'schemajob_version' AS schemajob_version,
                       (SELECT count(*) FROM schemajob.run_files f WHERE f.run_id = r.run_id)::int AS file_count
                  FROM schemajob.runs r) AS run;
        \\else
        \\echo \(noLedger)
        \\endif

        """

    static func filesQuery(runID: Int) -> String {
        """
        SELECT coalesce(json_agg(json_build_object('phase', phase, 'name', name, 'sha256', sha256) ORDER BY position), '[]')
          FROM schemajob.run_files WHERE run_id = \(runID);

        """
    }

    /// The ledger's runs, newest first.
    public static func runs(target: Connection, settings: Settings) throws -> [Run] {
        let output = try query(runsQuery, target: target, settings: settings)
        guard output.trimmingCharacters(in: .whitespacesAndNewlines) != noLedger else {
            throw InputError("schemajob.runs", "the database has no ledger: no migration has run there (schemajob apply, or the Job, creates it)")
        }
        return try decode([Run].self, from: output)
    }

    /// The newest run whose hash starts with `prefix`, and its files against `local`.
    public static func files(
        ofHash prefix: String, target: Connection, settings: Settings, local: MigrationSet
    ) throws -> (Run, [RunFile]) {
        let matching = try runs(target: target, settings: settings).filter { $0.hash.hasPrefix(prefix.lowercased()) }
        guard let run = matching.first else {
            throw InputError("schemajob.runs", "no run with a hash starting \(prefix)")
        }
        guard Set(matching.map(\.hash)).count == 1 else {
            throw InputError("schemajob.runs", "\(prefix) names more than one hash; give more of it")
        }
        struct Recorded: Decodable { var phase: String; var name: String; var sha256: String }
        let recorded = try decode([Recorded].self, from: try query(filesQuery(runID: run.runID), target: target, settings: settings))
        var localByKey = Dictionary(
            local.files.map { ("\($0.phase.rawValue)/\($0.name)", $0) }, uniquingKeysWith: { first, _ in first })
        var files: [RunFile] = []
        for file in recorded {
            let current = localByKey.removeValue(forKey: "\(file.phase)/\(file.name)")
            let status: RunFile.Status = current == nil ? .removed : current?.sha256 == file.sha256 ? .same : .changed
            files.append(RunFile(phase: file.phase, name: file.name, sha256: file.sha256, localSHA256: current?.sha256, status: status))
        }
        for file in local.files where localByKey["\(file.phase.rawValue)/\(file.name)"] != nil {
            files.append(RunFile(phase: file.phase.rawValue, name: file.name, sha256: nil, localSHA256: file.sha256, status: .added))
        }
        return (run, files)
    }

    static func decode<T: Decodable>(_ type: T.Type, from output: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(output.utf8))
        } catch {
            throw InputError("schemajob.runs", "cannot read psql's answer: \(error)")
        }
    }

    /// Runs `sql` in one psql session on the database `target` names, with the
    /// settings for what it leaves unset (`Connection`'s rule 3).
    static func query(_ sql: String, target: Connection, settings: Settings) throws -> String {
        guard let psql = Psql.find(path: target.environment["PATH"]) else { throw InputError("psql", Psql.notFound) }
        return try psql.read(
            .script(sql), environment: try target.psqlEnvironment(settings: settings),
            place: "psql", cannotConnect: "could not connect to PostgreSQL", failed: "the ledger query failed"
        ).stdout
    }
}

extension Ledger {
    /// `history` as a table: one run per line, newest first.
    public static func text(_ runs: [Run]) -> String {
        let header = ["HASH", "STARTED", "FINISHED", "DURATION", "POD", "USER", "FILES"]
        let rows = runs.map { run in
            [String(run.hash.prefix(ContentHash.shortLength)), run.startedAt, run.finishedAt,
             String(format: "%.3fs", run.durationSeconds), run.pod ?? "-", run.user, String(run.fileCount)]
        }
        return table([header] + rows)
    }

    /// `history --hash`: the run, then each of its files against database/.
    public static func text(run: Run, files: [RunFile]) -> String {
        var text = "run \(run.runID): \(run.hash)\nstarted \(run.startedAt), finished \(run.finishedAt) by \(run.pod ?? "-") as \(run.user)\n\n"
        text += table([["STATUS", "PHASE", "FILE", "SHA256 (RUN)"]]
            + files.map { [$0.status.rawValue, $0.phase, $0.name, $0.sha256 ?? "-"] })
        return text
    }

    static func table(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int](repeating: 0, count: rows.first?.count ?? 0)) { widths, row in
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
