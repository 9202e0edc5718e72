import Testing
@testable import SchemaJobKit

/// Which type changes keep the earlier release reading and writing a column, as
/// `format_type` names the types (the PostgreSQL tests prove the same on a server).
@Suite struct PreviousReleaseWideningTests {
    @Test(arguments: [
        ("character varying(50)", "character varying(255)"), ("character varying(50)", "character varying"),
        ("character varying(50)", "text"), ("text", "character varying"), ("smallint", "integer"),
        ("integer", "bigint"), ("integer", "numeric"), ("integer", "numeric(12,2)"), ("numeric(8,2)", "numeric(12,3)"), ("numeric(8,2)", "numeric(9,3)"),
        ("numeric(8,2)", "numeric"), ("real", "double precision"), ("integer[]", "bigint[]"),
        ("bit varying(8)", "bit varying(16)"),
    ])
    func aWideningKeepsTheEarlierReleaseRunning(_ old: String, _ new: String) {
        #expect(PreviousRelease.widens(old, to: new))
    }

    @Test(arguments: [
        ("text", "integer"), ("character varying(255)", "character varying(50)"), ("text", "character varying(255)"),
        ("bigint", "integer"), ("integer", "numeric(8,1)"), ("numeric(12,3)", "numeric(8,2)"), ("numeric", "numeric(20,2)"),
        ("numeric(8,2)", "numeric(9,1)"), ("double precision", "real"), ("integer", "integer[]"),
        ("timestamp without time zone", "timestamp with time zone"), ("character(10)", "text"), ("json", "jsonb"),
    ])
    func anythingElseBreaksIt(_ old: String, _ new: String) {
        #expect(!PreviousRelease.widens(old, to: new))
    }

    static func snapshot(_ records: [[String]]) -> CatalogSnapshot {
        CatalogSnapshot(records: records)
    }

    @Test func aTriggersFunctionMayGoAnApplicationsFunctionMayNot() {
        let previous = Self.snapshot([
            ["function", "public.touch()", "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $$ BEGIN RETURN NEW; END $$\n"],
            ["function", "public.label(id bigint)", "CREATE OR REPLACE FUNCTION public.label(id bigint)\n RETURNS text\n LANGUAGE sql\nAS $$ SELECT 'a' $$\n"],
        ])
        let breaks = PreviousRelease.breaks(previous: previous, upgraded: Self.snapshot([]))
        #expect(breaks.map(\.object) == ["function label(id bigint)"])
    }

    @Test func aColumnAddedNullableOrWithADefaultIsNoBreakButOneAddedNotNullWithoutADefaultIs() {
        let table = ["table", "public.t", "r", ""]
        let previous = Self.snapshot([table, ["column", "public.t.id", "bigint", "", "NOT NULL", "", "", ""]])
        let upgraded = Self.snapshot([
            table, ["column", "public.t.id", "bigint", "", "NOT NULL", "", "", ""],
            ["column", "public.t.a", "text", "", "", "", "", ""],
            ["column", "public.t.b", "text", "'x'::text", "NOT NULL", "", "", ""],
            ["column", "public.t.c", "bigint", "", "NOT NULL", "a", "", ""],
            ["column", "public.t.d", "text", "", "NOT NULL", "", "", ""],
        ])
        let breaks = PreviousRelease.breaks(previous: previous, upgraded: upgraded)
        #expect(breaks.map(\.object) == ["column t.d"])
        #expect(breaks.first?.message.hasPrefix("added NOT NULL without a default") == true)
    }
}
