import ArgumentParser
import Foundation
import SchemaJobKit

@main
struct SchemaJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemajob",
        abstract: "Turns database/ into the manifests that migrate PostgreSQL, then start the API.",
        discussion: """
            Reads database/schema/*.sql and database/fixtures/*.sql and writes content-addressed \
            ConfigMaps, a db-migration-<hash> Job and an API Deployment that waits for that \
            migration. Exit codes: 0 done; 1 findings or drift; 2 the command could not do its work.

            Examples:
              schemajob render --output-dir deploy/ && kubectl apply -k deploy/
              schemajob --generate-completion-script bash > /etc/bash_completion.d/schemajob
            """,
        version: SchemaJob.version,
        subcommands: [
            RenderCommand.self,
            HashCommand.self,
            ScriptCommand.self,
            LintCommand.self,
            SumCommand.self,
            ApplyCommand.self,
            VerifyCommand.self,
            DiffCommand.self,
            HistoryCommand.self,
            TestCommand.self,
            GateCommand.self,
            DriftCommand.self,
            PlanCommand.self,
        ]
    )

    /// Runs the command and maps every failure to the documented exit codes:
    /// an input error is one line on stderr and exit 2, never a stack trace.
    static func main() {
        keepFreedMemory()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            Terminal.error(error.diagnosticLine)
            Foundation.exit(2)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            // A bad flag is bad input: exit 2 as the command contract says, not 64.
            Terminal.error("schemajob: error: " + message(for: error) + " (see --help)")
            Foundation.exit(2)
        }
    }

    /// Lint allocates and frees each file's tokens, one file after another on every core;
    /// by default glibc hands freed memory back to the kernel (and takes it again, a page
    /// fault per page) many times over, which cost a 64 MiB render a second of system time.
    /// The process is short-lived: freed memory stays for the next file instead.
    /// Both knobs are needed: below the mmap threshold a block comes from the heap, and
    /// the trim threshold keeps the heap's free top. (Measured on 64 MiB of SQL: 470,000
    /// page faults and 1.0 s of system time before, 58,000 and 0.2 s after; peak RSS alike.)
    static func keepFreedMemory() {
        #if os(Linux)
        // glibc's `int mallopt(int, int)` is declared in malloc.h, which no Swift module
        // imports: it is looked up by name and called as the C function it is.
        // M_TRIM_THRESHOLD is -1, M_MMAP_THRESHOLD is -3.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-1, 512 << 20)
        _ = mallopt(-3, 32 << 20)
        #endif
    }
}
