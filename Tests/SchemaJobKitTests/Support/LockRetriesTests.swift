import Testing

/// `LockRetries`, which the client comparisons use to set aside attempts a lock timeout
/// rolled back. The logs are a CI run's: psql 18.6's Job outwaited another database's
/// Job on pg_shdepend and committed nothing on its first attempt.
@Suite struct LockRetriesTests {
    static let header = """
        schemajob 0.1.0, schema <hash>
        ==========================================
        Database Schema Migration
        ==========================================

        """
    static let failed = """
        Applying schema files...
          → 001_users_and_keys.sql
          → 002_reservations.sql
          → 999_broken.sql
        psql:<root>/schemajob/scripts/../schema/999_broken.sql:2: ERROR:  22P02: invalid input syntax for type integer: "not a number"
        LINE 2: INSERT INTO broken VALUES ('not a number');
                                           ^
        LOCATION:  pg_strtoint32, numutils.c:232
        schemajob: the migration failed; nothing was committed; exiting 65 (not retried)

        """
    static let rolledBack = """
        Applying schema files...
          → 001_users_and_keys.sql
        psql:<root>/schemajob/scripts/../schema/001_users_and_keys.sql:11: ERROR:  55P03: canceling statement due to lock timeout
        LOCATION:  ProcessInterrupts, postgres.c:3312
        schemajob: attempt 1 waited 100 ms for pg_shdepend (ExclusiveLock), held by pid 13140 (active, transaction open 2 s: /* schema/001_users_and_keys.sql:11 */ -- API users and the keys they authentica) (at 001_users_and_keys.sql:11) and rolled back; attempt 2 in 0.289 s

        """

    @Test func aLogWithoutRetriesIsLeftAsItIs() {
        let retries = LockRetries(in: Self.header + Self.failed)
        #expect(retries.count == 0)
        #expect(retries.finished == Self.header + Self.failed)
    }

    @Test func attemptsThatALockTimeoutRolledBackAreLeftOutAndCounted() {
        let twice = LockRetries(in: Self.header + Self.rolledBack + Self.failed)
        #expect(twice.count == 1)
        #expect(twice.finished == Self.header + Self.failed)
        let thrice = LockRetries(in: Self.header + Self.rolledBack
            + Self.rolledBack.replacingOccurrences(of: "attempt 1 waited", with: "attempt 2 waited") + Self.failed)
        #expect(thrice.count == 2)
        #expect(thrice.finished == Self.header + Self.failed)
    }

    @Test func aCommitAfterARetryReadsAsACommitAtTheFirstAttempt() {
        let succeeded = "Applying schema files...\n  → 001_users_and_keys.sql\nMigration completed successfully!\n"
        let retried = LockRetries(in: Self.header + Self.rolledBack + succeeded
            + "schemajob: committed at attempt 2, 0.512 s after the first\n")
        #expect(retried.count == 1)
        #expect(retried.finished == Self.header + succeeded)
    }

    @Test func aRetrySpentOrAnotherFailureIsNotAnAttemptLeftOut() {
        // The last attempt, whose retry budget ran out, is what the Job ends with.
        let spent = """
            Applying schema files...
            schemajob: attempt 5 waited 500 ms for gpu_types (AccessExclusiveLock) and rolled back; 5 attempts in 30.1 s, SCHEMAJOB_LOCK_RETRY_SECONDS spent; nothing was committed; exiting 75 so the Job retries

            """
        let retries = LockRetries(in: Self.header + spent)
        #expect(retries.count == 0)
        #expect(retries.finished == Self.header + spent)
    }
}
