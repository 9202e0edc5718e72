import Foundation
import SchemaJobKit
import Testing

extension AgainstPostgreSQL {
    /// The rendered Job, run as the cluster runs it (init container, then migrate), against
    /// a real server: what the database holds afterwards, and what the pod printed.
    @Suite struct MigrationJobTests {
        /// The seed's tables with their columns and types (database README), plus the
        /// columns 008 and 009 add (FACTS.md), as PostgreSQL names the types.
        static let expectedColumns = """
            api_users user_id integer
            api_users username character varying(255)
            api_users email character varying(255)
            api_users created_at timestamp without time zone
            api_users is_active boolean
            api_keys key_id integer
            api_keys user_id integer
            api_keys key_hash character varying(128)
            api_keys key_prefix character varying(16)
            api_keys created_at timestamp with time zone
            api_keys expires_at timestamp with time zone
            api_keys last_used_at timestamp with time zone
            api_keys is_active boolean
            api_keys description text
            reservations reservation_id character varying(255)
            reservations user_id character varying(255)
            reservations status character varying(50)
            reservations gpu_type character varying(50)
            reservations gpu_count integer
            reservations instance_type character varying(100)
            reservations duration_hours double precision
            reservations created_at timestamp with time zone
            reservations launched_at timestamp with time zone
            reservations expires_at timestamp with time zone
            reservations updated_at timestamp with time zone
            reservations name character varying(255)
            reservations github_user character varying(255)
            reservations pod_name character varying(255)
            reservations namespace character varying(100)
            reservations node_ip character varying(50)
            reservations node_port integer
            reservations ssh_command text
            reservations jupyter_enabled boolean
            reservations jupyter_url text
            reservations jupyter_port integer
            reservations jupyter_token character varying(255)
            reservations jupyter_error text
            reservations ebs_volume_id character varying(255)
            reservations disk_name character varying(255)
            reservations failure_reason text
            reservations current_detailed_status text
            reservations status_history jsonb
            reservations pod_logs text
            reservations warning text
            reservations secondary_users jsonb
            reservations is_multinode boolean
            reservations master_reservation_id character varying(255)
            reservations node_index integer
            reservations total_nodes integer
            reservations cli_version character varying(50)
            reservations ebs_availability_zone character varying(50)
            reservations domain_name character varying(255)
            reservations fqdn character varying(512)
            reservations alb_config jsonb
            reservations preserve_entrypoint boolean
            reservations node_private_ip character varying(50)
            reservations oom_count integer
            reservations last_oom_at timestamp with time zone
            reservations oom_container character varying(255)
            reservations warnings_sent jsonb
            reservations last_warning_time bigint
            reservations failed_at timestamp with time zone
            reservations cancelled_at timestamp with time zone
            reservations reservation_ended timestamp with time zone
            disks disk_id uuid
            disks disk_name text
            disks user_id text
            disks size_gb integer
            disks disk_size text
            disks created_at timestamp with time zone
            disks last_used timestamp with time zone
            disks in_use boolean
            disks reservation_id character varying(255)
            disks is_backing_up boolean
            disks is_deleted boolean
            disks delete_date date
            disks snapshot_count integer
            disks pending_snapshot_count integer
            disks ebs_volume_id text
            disks last_snapshot_at timestamp with time zone
            disks operation_id uuid
            disks operation_status text
            disks operation_error text
            disks latest_snapshot_content_s3 text
            disks last_updated timestamp with time zone
            disks marked_deleted_at timestamp with time zone
            gpu_types gpu_type character varying(50)
            gpu_types instance_type character varying(100)
            gpu_types max_gpus integer
            gpu_types cpus integer
            gpu_types memory_gb integer
            gpu_types total_cluster_gpus integer
            gpu_types max_per_node integer
            gpu_types is_active boolean
            gpu_types created_at timestamp with time zone
            gpu_types updated_at timestamp with time zone
            gpu_types description text
            gpu_types available_gpus integer
            gpu_types max_reservable integer
            gpu_types full_nodes_available integer
            gpu_types running_instances integer
            gpu_types desired_capacity integer
            gpu_types last_availability_update timestamp with time zone
            gpu_types last_availability_updated_by character varying(100)
            domain_mappings domain_name character varying(255)
            domain_mappings node_ip character varying(50)
            domain_mappings node_port integer
            domain_mappings reservation_id character varying(255)
            domain_mappings expires_at timestamp with time zone
            domain_mappings created_at timestamp with time zone
            domain_mappings updated_at timestamp with time zone
            alb_target_groups reservation_id character varying(255)
            alb_target_groups domain_name character varying(255)
            alb_target_groups jupyter_target_group_arn text
            alb_target_groups jupyter_rule_arn text
            alb_target_groups expires_at timestamp with time zone
            alb_target_groups created_at timestamp with time zone
            alb_target_groups updated_at timestamp with time zone
            """

        /// Indexes by table and key columns (FACTS.md), with a piece of the predicate for the
        /// partial ones ("" a full index, "*" either). Index names are the schema files'
        /// business, so they are not checked.
        static let expectedIndexes: [(table: String, columns: String, predicate: String)] = [
            ("api_keys", "key_hash", ""), ("api_keys", "user_id", ""), ("api_keys", "expires_at", ""),
            ("api_users", "username", ""),
            ("reservations", "user_id", ""), ("reservations", "user_id,status", ""), ("reservations", "status", ""),
            ("reservations", "gpu_type,status", ""), ("reservations", "created_at", ""),
            ("reservations", "expires_at", ""), ("reservations", "master_reservation_id", ""),
            ("reservations", "domain_name", ""), ("reservations", "fqdn", ""), ("reservations", "node_private_ip", ""),
            ("disks", "user_id", ""), ("disks", "in_use", ""), ("disks", "is_deleted", ""), ("disks", "operation_id", ""),
            ("disks", "reservation_id", ""), ("disks", "delete_date", ""),
            ("gpu_types", "is_active", "is_active = true"),
            ("domain_mappings", "reservation_id", ""), ("domain_mappings", "expires_at", ""),
            ("alb_target_groups", "domain_name", ""), ("alb_target_groups", "expires_at", ""),
            // 008
            ("reservations", "expires_at", "expires_at IS NOT NULL"),
            ("reservations", "failed_at", "failed_at IS NOT NULL"),
            ("reservations", "cancelled_at", "cancelled_at IS NOT NULL"),
            ("reservations", "reservation_ended", "reservation_ended IS NOT NULL"),
            ("reservations", "oom_count", "oom_count > 0"),
            // 009
            ("gpu_types", "available_gpus", "available_gpus > 0"),
            ("gpu_types", "last_availability_update", "*"),
        ]

        /// FACTS.md: gpu_type, instance_type, max_gpus, cpus, memory_gb, total_cluster_gpus,
        /// max_per_node, is_active.
        static let expectedGPUTypes = """
            a100|p4d.24xlarge|8|96|1152|16|8|t
            a10g|g5.12xlarge|4|48|192|4|4|t
            b200|p6-b200.48xlarge|8|192|2048|16|8|t
            cpu-arm|c7g.8xlarge|0|32|64|0|0|t
            cpu-x86|c7i.8xlarge|0|32|64|0|0|t
            h100|p5.48xlarge|8|192|2048|16|8|t
            h200|p5e.48xlarge|8|192|2048|16|8|t
            l4|g6.12xlarge|4|48|192|4|4|t
            t4|g4dn.12xlarge|4|48|192|8|4|t
            t4-small|g4dn.2xlarge|1|8|32|1|1|t

            """

        static func migrated() async throws -> (TestDatabase, RenderedForTest, ContainerRun.Result) {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database)
            let result = try await job.migrate()
            return (database, job, result)
        }

        @Test func theInitContainerWaitsForTheServerThenReportsItReady() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let wait = try await RenderedForTest(database).run("wait-for-postgres")
            #expect(wait.exitCode == 0)
            #expect(wait.output == "PostgreSQL at 127.0.0.1:\(database.server.port) is ready.\n")
        }

        @Test func everyTableOfTheSeedHasItsColumnsAndTypesPlusThoseOf008And009() async throws {
            let (database, _, _) = try await Self.migrated()
            let actual = try database.sql("""
                SELECT c.relname || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                   AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY c.relname, a.attnum
                """)
            let byTable = Dictionary(grouping: Self.expectedColumns.split(separator: "\n")) { $0.split(separator: " ")[0] }
            let expected = byTable.keys.sorted().flatMap { byTable[$0]! }
            // Same tables, and within each table the same columns in the same order.
            #expect(actual.split(separator: "\n") == expected)
        }

        @Test func keysAndForeignKeysAreTheSeeds() async throws {
            let (database, _, _) = try await Self.migrated()
            let constraints = try database.sql("""
                SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid)
                  FROM pg_constraint
                 WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f')
                 ORDER BY 1
                """)
            #expect(constraints == """
                alb_target_groups FOREIGN KEY (reservation_id) REFERENCES reservations(reservation_id) ON DELETE CASCADE
                alb_target_groups PRIMARY KEY (reservation_id)
                api_keys FOREIGN KEY (user_id) REFERENCES api_users(user_id) ON DELETE CASCADE
                api_keys PRIMARY KEY (key_id)
                api_keys UNIQUE (key_hash)
                api_users PRIMARY KEY (user_id)
                api_users UNIQUE (username)
                disks FOREIGN KEY (reservation_id) REFERENCES reservations(reservation_id) ON DELETE SET NULL
                disks PRIMARY KEY (disk_id)
                disks UNIQUE (user_id, disk_name)
                domain_mappings FOREIGN KEY (reservation_id) REFERENCES reservations(reservation_id) ON DELETE CASCADE
                domain_mappings PRIMARY KEY (domain_name)
                gpu_types PRIMARY KEY (gpu_type)
                reservations PRIMARY KEY (reservation_id)

                """)
        }

        @Test func everyIndexOfTheSchemaFilesExists() async throws {
            let (database, _, _) = try await Self.migrated()
            let indexes = try database.rows("""
                SELECT t.relname,
                       (SELECT string_agg(a.attname, ',' ORDER BY k.position)
                          FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
                          JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum),
                       coalesce(pg_get_expr(ix.indpred, ix.indrelid), '')
                  FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid
                 WHERE t.relnamespace = 'public'::regnamespace AND NOT ix.indisprimary
                """)
            for expected in Self.expectedIndexes {
                let found = indexes.contains { index in
                    let predicateMatches = switch expected.predicate {
                    case "*": true
                    case "": index[2].isEmpty
                    default: index[2].contains(expected.predicate)
                    }
                    return index[0] == expected.table && index[1] == expected.columns && predicateMatches
                }
                #expect(found, "no index on \(expected.table) (\(expected.columns)) \(expected.predicate)")
            }
        }

        @Test func theTriggersKeepTheTimestampsCurrent() async throws {
            let (database, _, _) = try await Self.migrated()
            try database.sql("""
                INSERT INTO reservations (reservation_id, user_id, status, duration_hours, created_at)
                     VALUES ('r1', 'alice', 'queued', 2, now());
                INSERT INTO domain_mappings (domain_name, node_ip, node_port, reservation_id, expires_at)
                     VALUES ('alice.example', '10.0.0.1', 30022, 'r1', now() + interval '1 hour');
                INSERT INTO alb_target_groups (reservation_id, domain_name, expires_at)
                     VALUES ('r1', 'alice.example', now() + interval '1 hour');
                INSERT INTO disks (disk_name, user_id) VALUES ('home', 'alice');
                """)
            // An UPDATE that sets the timestamp far in the past: the BEFORE UPDATE trigger
            // must overwrite it with the time of the update.
            for (table, column) in [
                ("reservations", "updated_at"), ("gpu_types", "updated_at"), ("domain_mappings", "updated_at"),
                ("alb_target_groups", "updated_at"), ("disks", "last_updated"),
            ] {
                try database.sql("UPDATE \(table) SET \(column) = '2000-01-01T00:00:00Z'")
                let stale = try database.sql("SELECT count(*) FROM \(table) WHERE \(column) < now() - interval '1 day'")
                #expect(stale == "0\n", "\(table).\(column) was not set by its trigger")
            }
            try database.sql("UPDATE disks SET is_deleted = true")
            #expect(try database.sql("SELECT marked_deleted_at IS NOT NULL FROM disks") == "t\n")
            try database.sql("UPDATE disks SET is_deleted = false")
            #expect(try database.sql("SELECT marked_deleted_at IS NULL FROM disks") == "t\n")
        }

        @Test func theFixtureRowsAreThere() async throws {
            let (database, _, _) = try await Self.migrated()
            let rows = try database.sql("""
                SELECT gpu_type, instance_type, max_gpus, cpus, memory_gb, total_cluster_gpus, max_per_node, is_active
                  FROM gpu_types ORDER BY gpu_type COLLATE "C"
                """)
            #expect(rows == Self.expectedGPUTypes)
            #expect(try database.sql("SELECT count(*) FROM gpu_types WHERE description IS NULL OR description = ''") == "0\n")
        }

        @Test func theQueuesOf007Exist() async throws {
            let (database, _, _) = try await Self.migrated()
            #expect(try database.sql("SELECT queue_name FROM pgmq.list_queues()") == "disk_operations\ngpu_reservations\n")
        }

        @Test func theLedgerHoldsOneFinishedRunWithEveryFilesNameAndSHA256() async throws {
            let (database, job, _) = try await Self.migrated()
            let runs = try database.rows("SELECT run_id, hash, pod, finished_at >= started_at FROM schemajob.runs")
            #expect(runs.count == 1)
            let run = try #require(runs.first)
            #expect(run[1] == job.plan.hash)
            #expect(run[2] == job.pods.podName)
            #expect(run[3] == "t")
            let files = try database.sql(
                "SELECT phase, name, sha256 FROM schemajob.run_files WHERE run_id = \(run[0]) ORDER BY position")
            let expected = try DatabaseFiles.listed(in: Repository.database).map { file in
                "\(file.phase)|\(file.name)|\(sha256Hex(try Data(contentsOf: URL(fileURLWithPath: file.path))))\n"
            }.joined()
            #expect(files == expected)
        }

        @Test func theLogIsTheSeedsExampleLogWithEveryFileInOrder() async throws {
            let (_, job, migrate) = try await Self.migrated()
            let files = try DatabaseFiles.listed(in: Repository.database)
            let rule = "=========================================="
            let header = "schemajob \(SchemaJob.version), schema \(job.plan.shortHash)"
            let expected = [header, rule, "Database Schema Migration", rule, "", "Applying schema files..."]
                + files.filter { $0.phase == "schema" }.map { "  → \($0.name)" }
                + ["", "Applying fixture data..."]
                + files.filter { $0.phase == "fixtures" }.map { "  → \($0.name)" }
                + ["", rule, "Migration completed successfully!", rule]
                + ["schemajob: gate.readHosts is empty: whether a standby has replayed the migration, and so whether it would survive a failover, was not checked", ""]
            #expect(migrate.output == expected.joined(separator: "\n"))
        }

        @Test func aSecondRunOfTheSameHashSaysItIsAppliedAndChangesNothing() async throws {
            let (database, job, _) = try await Self.migrated()
            let before = try database.schemaDump()
            let second = try await job.run("migrate")
            #expect(second.exitCode == 0, "\(second.output)")
            #expect(second.output.contains("Schema \(job.plan.shortHash) is already applied (run 1, finished "), "\(second.output)")
            #expect(!second.output.contains("Applying schema files"))
            #expect(try database.schemaDump() == before)
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "1\n")
        }

        @Test func aSecondRunWithReapplyAlwaysRunsEveryFileAgainAndLeavesTheSchemaAsItWas() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database, settings: ["job.reapply=always"])
            try await job.migrate()
            let before = try database.schemaDump()
            let second = try await job.migrate()
            #expect(second.output.contains("  → 009_add_availability_to_gpu_types.sql"), "\(second.output)")
            #expect(try database.schemaDump() == before)
            #expect(try database.sql("SELECT count(*) FROM gpu_types") == "10\n")
            #expect(try database.sql("SELECT count(*) FROM schemajob.runs WHERE hash = '\(job.plan.hash)'") == "2\n")
        }

        @Test func aLedgerRowAloneDoesNotSkipTheRunWhenARequiredTableIsGone() async throws {
            let (database, job, _) = try await Self.migrated()
            try database.sql("DROP TABLE alb_target_groups")
            let second = try await job.run("migrate")
            #expect(second.exitCode == 0, "\(second.output)")
            #expect(second.output.contains("Migration completed successfully!"))
            #expect(try database.sql("SELECT to_regclass('alb_target_groups') IS NOT NULL") == "t\n")
        }

        @Test func theAPIsGateWaitsBeforeTheMigrationAndPassesRightAfterIt() async throws {
            let database = try #require(PostgresServer.current).createDatabase()
            let job = try RenderedForTest(database)
            let waiting = try await job.run(
                WorkloadGate.containerName, of: "Deployment", environment: ["SCHEMAJOB_WAIT_TIMEOUT": "3"])
            #expect(waiting.exitCode != 0)
            // The deadline is counted on the clock's whole seconds (bash's EPOCHSECONDS), so
            // a 3 s wait that starts late in a second ends a fraction early: more than 2 s
            // still tells waiting to the deadline from giving up at the first check.
            #expect(waiting.duration > .seconds(2), "it gave up before its deadline")
            #expect(waiting.output.contains("Waiting for schema \(job.plan.shortHash): no finished migration"))

            try await job.migrate()
            let ready = try await job.run(WorkloadGate.containerName, of: "Deployment")
            #expect(ready.exitCode == 0)
            #expect(ready.duration < .seconds(5), "it should pass at its first check")
            #expect(ready.output == "Schema \(job.plan.shortHash) is applied; every required table exists.\n")
        }

        @Test func theAPIsGateNamesATableThatWasDropped() async throws {
            let (database, job, _) = try await Self.migrated()
            try database.sql("DROP TABLE alb_target_groups")
            let once = try await job.run(WorkloadGate.containerName, of: "Deployment", arguments: ["--once"])
            #expect(once.exitCode == 1)
            #expect(once.output == "missing tables: alb_target_groups\n")
            let waiting = try await job.run(
                WorkloadGate.containerName, of: "Deployment", environment: ["SCHEMAJOB_WAIT_TIMEOUT": "1"])
            #expect(waiting.exitCode != 0)
            #expect(waiting.output.contains("missing tables: alb_target_groups"))
        }
    }
}

/// The files of a database directory as the Job must apply them, found independently of
/// the library's reader: schema then fixtures, each by the bytes of the names.
enum DatabaseFiles {
    struct File {
        var phase: String
        var name: String
        var path: String
    }

    static func listed(in directory: String) throws -> [File] {
        try ["schema", "fixtures"].flatMap { phase in
            try FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(phase)")
                .filter { $0.hasSuffix(".sql") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { File(phase: phase, name: $0, path: "\(directory)/\(phase)/\($0)") }
        }
    }
}
