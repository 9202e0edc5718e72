import Testing
@testable import SchemaJobKit

/// How a snapshot's records become typed subjects: the kinds are the words the catalog
/// query writes, and attributes are read by name (what they say in findings is pinned
/// against PostgreSQL in ProveCommandTests; these pin the reading itself).
@Suite struct CatalogSnapshotTests {
    @Test func everyKindIsAWordTheSnapshotQueryWrites() {
        let query = CatalogSnapshot.query(windowStart: "2026-01-01 00:00:00+00")
        for kind in SnapshotKind.allCases {
            #expect(query.contains("'\(kind.rawValue)'"), "\(kind.rawValue)")
        }
    }

    @Test func subjectsSortByTheirKindsWordAsWhenKindsWereStrings() {
        let words = SnapshotKind.allCases.map(\.rawValue)
        #expect(SnapshotKind.allCases.sorted().map(\.rawValue) == words.sorted())
        #expect("\(SnapshotKind.enumValue)" == "enum value", "findings show the kind's word")
    }

    @Test func aRecordOfAKindNoSnapshotQueryWritesIsNoSubject() {
        let snapshot = CatalogSnapshot(records: [["lock", "public.jobs", "AccessShareLock"], ["table", "public.jobs", "r", ""]])
        #expect(Array(snapshot.entries.keys) == [SnapshotSubject(kind: .table, name: "public.jobs")])
    }

    @Test func aColumnsDefaultThatCallsASequenceIsLeftOutOfItsRows() {
        let snapshot = CatalogSnapshot(records: [
            ["column", "public.jobs.id", "bigint", "nextval('jobs_id_seq'::regclass)", "NOT NULL", "", "", ""],
            ["rowkey", "public.jobs", "name"],
            ["row", "public.jobs", #"{"id": "7", "name": "'a'"}"#],
        ])
        #expect(snapshot.entries[SnapshotSubject(kind: .row, name: "public.jobs ('a')")] == ["{name: 'a'}"])
    }

    @Test func aColumnThatDiffersIsDescribedAttributeByAttributeInTheQuerysOrder() {
        let change = SnapshotChange(
            subject: SnapshotSubject(kind: .column, name: "public.jobs.state"),
            before: ["text", "'new'::text", "NOT NULL", "", "", "the state"], after: ["text", "", "", "", "", ""])
        let words = ChangeDescription(expectedLabel: "on a fresh install", actualLabel: "after the upgrade")
        let (object, message) = words.describe(change)
        #expect(object == "column jobs.state")
        #expect(message == "default 'new'::text on a fresh install, none after the upgrade; nullability NOT NULL on a fresh install, NULL allowed after the upgrade; comment 'the state' on a fresh install, none after the upgrade")
    }
}
