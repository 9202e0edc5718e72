import Foundation

/// Waiting until a standby has replayed everything its primary has done so far, for the
/// two harnesses that run one (`StreamingStandby`, `FailoverCluster`).
///
/// The harness's servers run with `synchronous_commit = off`, and WAL that no commit
/// waits for is flushed, and so streamed, only once its page fills: a record written
/// after the last commit (a page pruned by a read, say) can sit unsent for as long as the
/// primary stays idle. So the target is taken in a transaction that writes a record of its
/// own (a transactional logical message, which nothing decodes) and commits with
/// `synchronous_commit` on: that commit flushes the WAL past every record inserted before
/// it, the position read included. (A transaction that only takes an id writes nothing,
/// and its commit is not waited for whatever the setting.)
enum ReplayCatchUp {
    static let bound: TimeInterval = 60

    /// `primary` and `standby` run one query and return psql's unaligned output.
    static func wait(primary: (String) throws -> String, standby: (String) throws -> String) throws {
        let row = try primary(
            "SELECT set_config('synchronous_commit', 'on', true), pg_logical_emit_message(true, 'schemajob-tests', ''), pg_current_wal_insert_lsn()")
        guard let target = row.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").last else {
            throw HarnessError("the primary gave no WAL position: \(row)")
        }
        let deadline = Date().addingTimeInterval(bound)
        while Date() < deadline {
            do {
                if try standby("SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn") == "t\n" { return }
            } catch where canceledByReplay(error) {
                // Replay removed row versions this session's start-up could still see; the
                // standby cancels the session, and the next look is a new one.
            }
            usleep(50_000)
        }
        let stood = (try? standby("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()"))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let flushed = (try? primary("SELECT pg_current_wal_flush_lsn()"))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        throw HarnessError(
            "the standby did not replay up to \(target) within \(Int(bound)) s: it had received|replayed \(stood); the primary had flushed \(flushed)")
    }

    /// A standby cancels a session (its connection start-up included) whose snapshot a
    /// replayed cleanup record conflicts with, once `max_standby_streaming_delay` (30 s) has
    /// passed since the record arrived: on a loaded machine, a standby resumed after a pause
    /// of that long cancels the first looks at it.
    static func canceledByReplay(_ error: Error) -> Bool {
        "\(error)".contains("conflict with recovery")
    }
}
