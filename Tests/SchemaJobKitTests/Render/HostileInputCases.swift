import Foundation
import Testing
@testable import SchemaJobKit

/// The bad-input corpus beyond the basics: what a hostile or careless pull request can put
/// in database/, templates/ or the config, and what a broken machine does to `-o`.
/// Each case is one row; `badInputIsOneLineExitTwoAndNothingWritten` runs them all.
extension BadInputTests {
    static func schema(_ root: String, _ name: String) -> String { root + "/database/schema/" + name }

    static let hostileCases: [Case] = linkAndSpecialFileCases + nameAndContentCases + templateAndConfigCases
        + flagAndOutputCases

    static let linkAndSpecialFileCases: [Case] = [
        Case(name: "database/ that is a symbolic link", breakInput: { root in
            try FileManager.default.moveItem(atPath: root + "/database", toPath: root + "/real-database")
            try FileManager.default.createSymbolicLink(atPath: root + "/database", withDestinationPath: root + "/real-database")
            return []
        }, expected: "ROOT/database: error: refused: a symbolic link"),
        Case(name: "database/ that is a file", breakInput: { root in
            try FileManager.default.removeItem(atPath: root + "/database")
            try write("not a directory\n", root + "/database")
            return []
        }, expected: "ROOT/database: error: no such directory"),
        Case(name: "missing schema directory", breakInput: { root in
            try FileManager.default.removeItem(atPath: root + "/database/schema")
            return []
        }, expected: "ROOT/database/schema: error: no such directory"),
        Case(name: "schema/ that is a symbolic link", breakInput: { root in
            try FileManager.default.moveItem(atPath: root + "/database/schema", toPath: root + "/schema-elsewhere")
            try FileManager.default.createSymbolicLink(atPath: root + "/database/schema", withDestinationPath: root + "/schema-elsewhere")
            return []
        }, expected: "ROOT/database/schema: error: refused: a symbolic link"),
        Case(name: "schema/ that cannot be listed", breakInput: { root in
            chmod(root + "/database/schema", 0)
            return []
        }, expected: "ROOT/database/schema: error: cannot list the directory", unprivileged: true),
        Case(name: "SQL file that cannot be read", breakInput: { root in
            chmod(schema(root, "003_disks.sql"), 0)
            return []
        }, expected: "ROOT/database/schema/003_disks.sql: error: cannot read the file: Permission denied", unprivileged: true),
        Case(name: "symbolic link to a file outside database/", breakInput: { root in
            try FileManager.default.createSymbolicLink(atPath: schema(root, "010_link.sql"), withDestinationPath: "/etc/passwd")
            return []
        }, expected: "ROOT/database/schema/010_link.sql: error: refused: a symbolic link"),
        Case(name: "symbolic link that stays inside database/", breakInput: { root in
            try FileManager.default.createSymbolicLink(
                atPath: schema(root, "010_link.sql"), withDestinationPath: "../fixtures/001_initial_gpu_types.sql")
            return []
        }, expected: "ROOT/database/schema/010_link.sql: error: refused: a symbolic link"),
        Case(name: "dangling symbolic link", breakInput: { root in
            try FileManager.default.createSymbolicLink(atPath: schema(root, "010_gone.sql"), withDestinationPath: "/nonexistent/x.sql")
            return []
        }, expected: "ROOT/database/schema/010_gone.sql: error: refused: a symbolic link"),
        Case(name: "hard link to a file outside database/", breakInput: { root in
            try write(oneStatement, root + "/outside.sql")
            try FileManager.default.linkItem(atPath: root + "/outside.sql", toPath: schema(root, "010_hard.sql"))
            return []
        }, expected: "ROOT/database/schema/010_hard.sql: error: refused: a hard link (the file has 2 names"),
        Case(name: "FIFO named like an SQL file (must not block)", breakInput: { root in
            try mkfifo(schema(root, "010_fifo.sql"))
            return []
        }, expected: "ROOT/database/schema/010_fifo.sql: error: refused: a FIFO"),
        Case(name: "unix socket named like an SQL file", breakInput: { root in
            try bindSocket(schema(root, "010_sock.sql"))
            return []
        }, expected: "ROOT/database/schema/010_sock.sql: error: refused: a socket"),
        Case(name: "character device named like an SQL file", breakInput: { root in
            // The numbers of /dev/null (major 1, minor 3, in glibc's encoding): harmless even if opened.
            guard mknod(schema(root, "010_device.sql"), S_IFCHR | 0o644, dev_t((1 << 8) | 3)) == 0 else {
                throw HarnessError("mknod needs root (CAP_MKNOD): \(String(cString: strerror(errno)))")
            }
            return []
        }, expected: "ROOT/database/schema/010_device.sql: error: refused: a device"),
        Case(name: "directory named like an SQL file in schema/", breakInput: { root in
            try FileManager.default.createDirectory(atPath: schema(root, "010_dir.sql"), withIntermediateDirectories: false)
            return []
        }, expected: "ROOT/database/schema/010_dir.sql: error: refused: a directory named like an SQL file"),
        Case(name: "directory named like an SQL file in fixtures/", breakInput: { root in
            try FileManager.default.createDirectory(atPath: root + "/database/fixtures/002_dir.sql", withIntermediateDirectories: false)
            return []
        }, expected: "ROOT/database/fixtures/002_dir.sql: error: refused: a directory named like an SQL file"),
        Case(name: "schema.sum that is a symbolic link", breakInput: { root in
            try? FileManager.default.removeItem(atPath: root + "/database/schema.sum")
            try FileManager.default.createSymbolicLink(atPath: root + "/database/schema.sum", withDestinationPath: "/etc/passwd")
            return []
        }, expected: "ROOT/database/schema.sum: error: refused: a symbolic link"),
    ]

    static let nameAndContentCases: [Case] = [
        Case(name: "file name with non-ASCII letters", breakInput: { root in
            try write(oneStatement, schema(root, "010_tâble.sql"))
            return []
        }, expected: "ROOT/database/schema/010_tâble.sql: error: file name is not a valid ConfigMap key"),
        // 300 characters cannot be a file name on Linux (255 bytes at most); 254 is one
        // more than a ConfigMap key may have.
        Case(name: "file name of 254 characters", breakInput: { root in
            try write(oneStatement, schema(root, "010_" + String(repeating: "x", count: 246) + ".sql"))
            return []
        }, expected: "ROOT/database/schema/010_" + String(repeating: "x", count: 246) + ".sql: error: file name is not a valid ConfigMap key"),
        Case(name: "upper-case file name (a warning; --strict fails)", breakInput: { root in
            try write(oneStatement, schema(root, "010_Extra.sql"))
            return ["--strict"]
        }, expected: "ROOT/database/schema/010_Extra.sql: warning: 010_Extra.sql is not named NNN_name.sql", status: 1),
        Case(name: "hidden SQL file is never applied (a warning; --strict fails)", breakInput: { root in
            try write("DROP TABLE api_users;\n", schema(root, ".010_hidden.sql"))
            return ["--strict"]
        }, expected: "ROOT/database/schema/.010_hidden.sql: warning: hidden entry: it is never applied", status: 1),
        Case(name: "duplicate number (a warning; --strict fails)", breakInput: { root in
            try write(oneStatement, schema(root, "001_zzz.sql"))
            return ["--strict"]
        }, expected: "ROOT/database/schema/001_zzz.sql: warning: 001_zzz.sql has the number 001, as 001_users_and_keys.sql does",
             status: 1),
        Case(name: "UTF-8 byte order mark", breakInput: { root in
            try writeBytes([0xEF, 0xBB, 0xBF] + Array(oneStatement.utf8), schema(root, "010_bom.sql"))
            return []
        }, expected: "ROOT/database/schema/010_bom.sql:1:1: error: file starts with a UTF-8 byte order mark"),
        Case(name: "NUL byte", breakInput: { root in
            try writeBytes(Array("-- one\nSELE".utf8) + [0] + Array("CT 1;\n".utf8), schema(root, "010_nul.sql"))
            return []
        }, expected: "ROOT/database/schema/010_nul.sql:2:5: error: file holds a NUL byte"),
        Case(name: "CRLF line ends are kept, with a warning (--strict fails)", breakInput: { root in
            try write("CREATE TABLE IF NOT EXISTS extra (id int);\r\n", schema(root, "010_crlf.sql"))
            return ["--strict"]
        }, expected: "ROOT/database/schema/010_crlf.sql:1:43: warning: line ends with a carriage return", status: 1),
        Case(name: "empty file", breakInput: { root in
            try write("", schema(root, "010_empty.sql"))
            return []
        }, expected: "ROOT/database/schema/010_empty.sql: error: file is empty"),
        Case(name: "file larger than a ConfigMap holds", breakInput: { root in
            try write(String(repeating: "-- padding padding padding padding padding padding padding\n", count: 20_000),
                      schema(root, "010_huge.sql"))
            return []
        }, expected: "ROOT/database/schema/010_huge.sql: error: file takes 1260028 bytes written into a ConfigMap (1180000 bytes, plus indentation and escapes); one ConfigMap holds at most 1000000"),
        // The Job's scripts name every file four times (read, checked, cut, recorded) and
        // hold an integer a statement: 1,100 files of 200-byte names take past 1 MB.
        Case(name: "set whose Job scripts take more than a ConfigMap holds", breakInput: { root in
            for index in 1...1_100 {
                try write("SELECT \(index);\n", schema(root, String(format: "%04d_", 10 + index) + String(repeating: "s", count: 191) + ".sql"))
            }
            return []
        // (The figure itself moves with every change to the scripts: only its start is compared.)
        }, expected: "ROOT/database: error: the Job's scripts take 11"),
        // 16,000 tables of 63-byte names, the longest PostgreSQL keeps: 1,024,000 bytes, too
        // long for REQUIRED_TABLES and then for the scripts ConfigMap that holds them instead.
        Case(name: "set whose required tables are more than the scripts ConfigMap holds", breakInput: { root in
            for file in 0..<2 {
                try write((1...8_000).map { "CREATE TABLE IF NOT EXISTS t\(String(format: "%05d", file * 8_000 + $0))_" + String(repeating: "t", count: 56) + " (id int);\n" }.joined(),
                          schema(root, "01\(file)_tables.sql"))
            }
            return []
        }, expected: "ROOT/database: error: the 16007 required tables take 1024117 bytes in the Job's scripts ConfigMap (db-scripts-"),
        Case(name: "string left open at the end (lint error)", breakInput: { root in
            try write("SELECT 'never closed;\n", schema(root, "010_open_string.sql"))
            return []
        }, expected: "ROOT/database/schema/010_open_string.sql:1:8: error: a string literal is not closed", status: 1),
        Case(name: "comment left open at the end (lint error)", breakInput: { root in
            try write(oneStatement + "/* never closed\n", schema(root, "010_open_comment.sql"))
            return []
        }, expected: "ROOT/database/schema/010_open_comment.sql:2:1: error:", status: 1),
        Case(name: "dollar-quoted body left open at the end (lint error)", breakInput: { root in
            try write("DO $$\nBEGIN\n  PERFORM 1;\n", schema(root, "010_open_body.sql"))
            return []
        }, expected: "ROOT/database/schema/010_open_body.sql:1:4: error:", status: 1),
    ]

    static let templateAndConfigCases: [Case] = [
        Case(name: "missing templates directory", breakInput: { root in
            try FileManager.default.removeItem(atPath: root + "/templates")
            return []
        }, expected: "ROOT/templates: error: no such templates directory"),
        Case(name: "templates/ that is a symbolic link", breakInput: { root in
            try FileManager.default.moveItem(atPath: root + "/templates", toPath: root + "/real-templates")
            try FileManager.default.createSymbolicLink(atPath: root + "/templates", withDestinationPath: root + "/real-templates")
            return []
        }, expected: "ROOT/templates: error: refused: a symbolic link"),
        Case(name: "template that is a symbolic link", breakInput: { root in
            try FileManager.default.moveItem(atPath: root + "/templates/job.yaml", toPath: root + "/job.yaml")
            try FileManager.default.createSymbolicLink(atPath: root + "/templates/job.yaml", withDestinationPath: root + "/job.yaml")
            return []
        }, expected: "ROOT/templates/job.yaml: error: refused: a symbolic link"),
        Case(name: "FIFO among the template scripts", breakInput: { root in
            try mkfifo(root + "/templates/scripts/extra.sh")
            return []
        }, expected: "ROOT/templates/scripts/extra.sh: error: refused: a FIFO"),
        Case(name: "templates without the Job", breakInput: { root in
            try FileManager.default.removeItem(atPath: root + "/templates/job.yaml")
            return []
        }, expected: "ROOT/templates/job.yaml: error: template is missing"),
        Case(name: "template that is a list, not an object", breakInput: { root in
            try write("- kind: Job\n", root + "/templates/job.yaml")
            return []
        }, expected: "ROOT/templates/job.yaml: error: template must be one Kubernetes object"),
        Case(name: "config file that is not YAML", breakInput: { root in
            try write("namespace: [unclosed\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:2:1: error: not valid YAML"),
        Case(name: "config file with a list where a value belongs", breakInput: { root in
            try write("namespace: [a, b]\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:1:12: error: 'namespace' takes a single value"),
        Case(name: "config file with a quoted number", breakInput: { root in
            try write("job:\n  backoffLimit: \"4\"\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:2:17: error: 'job.backoffLimit' must be a whole number, not '4'"),
        Case(name: "config file with backoffLimit: 1e9", breakInput: { root in
            try write("job:\n  backoffLimit: 1e9\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:2:17: error: 'job.backoffLimit' must be a whole number, not '1e9'"),
        Case(name: "config file with text where a number belongs", breakInput: { root in
            try write("postgres:\n  port: five\n", root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml:2:9: error: 'postgres.port' must be a whole number, not 'five'"),
        Case(name: "config file that is a symbolic link", breakInput: { root in
            try FileManager.default.createSymbolicLink(atPath: root + "/schemajob.yaml", withDestinationPath: "/etc/passwd")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml: error: cannot read the config file: refused: a symbolic link"),
        Case(name: "default config file that is a symbolic link", breakInput: { root in
            // Read from the working directory without --config: still refused, never skipped.
            try FileManager.default.createSymbolicLink(atPath: root + "/schemajob.yaml", withDestinationPath: "/etc/passwd")
            return []
        }, expected: "schemajob.yaml: error: cannot read the config file: refused: a symbolic link"),
        Case(name: "config file that is a FIFO", breakInput: { root in
            try mkfifo(root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml: error: cannot read the config file: refused: a FIFO"),
        Case(name: "config file that is a directory", breakInput: { root in
            try FileManager.default.createDirectory(atPath: root + "/schemajob.yaml", withIntermediateDirectories: false)
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml: error: cannot read the config file: refused: a directory"),
        Case(name: "missing config file", breakInput: { root in ["--config", root + "/nowhere.yaml"] },
             expected: "ROOT/nowhere.yaml: error: cannot read the config file: no such file"),
        Case(name: "config file that is not UTF-8", breakInput: { root in
            try writeBytes(Array("namespace: caf".utf8) + [0xE9, 0x0A], root + "/schemajob.yaml")
            return ["--config", root + "/schemajob.yaml"]
        }, expected: "ROOT/schemajob.yaml: error: config file is not UTF-8"),
    ]

    static let flagAndOutputCases: [Case] = [
        Case(name: "--set with an empty key", breakInput: { _ in ["--set", "=x"] },
             expected: "--set =x: error: unknown setting ''"),
        Case(name: "--set with an empty value", breakInput: { _ in ["--set", "namespace="] },
             expected: "--set namespace=: error: 'namespace' must not be empty"),
        Case(name: "--set with a port out of range", breakInput: { _ in ["--set", "postgres.port=70000"] },
             expected: "--set postgres.port=70000: error: 'postgres.port' must be between 1 and 65535, not 70000"),
        Case(name: "--set with a malformed image digest", breakInput: { _ in ["--set", "image=ghcr.io/pgmq/pg18-pgmq@sha256:abc"] },
             expected: "--set image=ghcr.io/pgmq/pg18-pgmq@sha256:abc: error: 'image' has a malformed digest"),
        Case(name: "--set with an unknown pull policy", breakInput: { _ in ["--set", "imagePullPolicy=always"] },
             expected: "--set imagePullPolicy=always: error: 'imagePullPolicy' must be one of Always, IfNotPresent, Never"),
        Case(name: "--set with a word that is not true or false", breakInput: { _ in ["--set", "networkPolicy.enabled=yes"] },
             expected: "--set networkPolicy.enabled=yes: error: 'networkPolicy.enabled' must be one of true, false"),
        Case(name: "-o into a directory that does not exist", breakInput: { _ in [] },
             expected: "ROOT/missing/out.yaml: error: directory ROOT/missing does not exist", output: "missing/out.yaml"),
        Case(name: "-o into a read-only directory", breakInput: { root in
            try FileManager.default.createDirectory(atPath: root + "/readonly", withIntermediateDirectories: false)
            try makeReadOnly(root + "/readonly")
            return []
        }, expected: "ROOT/readonly/out.yaml: error: cannot write:", output: "readonly/out.yaml"),
        Case(name: "-o naming a directory", breakInput: { root in
            try FileManager.default.createDirectory(atPath: root + "/out-directory", withIntermediateDirectories: false)
            return []
        }, expected: "ROOT/out-directory: error: cannot write:", output: "out-directory"),
    ]
}
