import Foundation
import SchemaJobKit
import Testing

/// The local runner against a small hand-written manifest, without PostgreSQL.
@Suite struct ContainerRunTests {
    static let manifests = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: scripts-1}
        data:
          run.sh: |
            echo "out $GREETING $POD"
            echo "err $SCRIPTS" >&2
            cat "$PASSWORD_FILE"; echo
            ls /nonexistent-on-purpose 2>/dev/null || true
            echo "args $*"
            exit 3
          unused.txt: nothing
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: schema-a}
        data: {001_a.sql: "SELECT 1;\\n"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: schema-b}
        data: {002_b.sql: "SELECT 2;\\n"}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: job-1}
        spec:
          podFailurePolicy:
            rules:
              - action: FailJob
                onExitCodes: {containerName: main, operator: In, values: [65]}
              - action: Ignore
                onPodConditions: [{type: DisruptionTarget}]
          template:
            spec:
              initContainers:
                - name: first
                  command: [bash, -c, "exit 0"]
              containers:
                - name: main
                  command: [bash, /app/scripts/run.sh]
                  args: [one, /app/scripts]
                  env:
                    - {name: GREETING, value: hello}
                    - name: POD
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    - {name: SCRIPTS, value: /app/scripts}
                    - {name: ELSEWHERE, value: /application}
                    - {name: PASSWORD_FILE, value: /etc/secret/password}
                    - name: TOKEN
                      valueFrom: {secretKeyRef: {name: creds, key: TOKEN}}
                  volumeMounts:
                    - {name: scripts, mountPath: /app/scripts}
                    - {name: schema, mountPath: /app/schema}
                    - {name: secret, mountPath: /etc/secret}
                    - {name: tmp, mountPath: /tmp}
              volumes:
                - name: scripts
                  configMap:
                    name: scripts-1
                    defaultMode: 292
                    items: [{key: run.sh, path: run.sh}]
                - name: schema
                  projected:
                    sources:
                      - configMap: {name: schema-a}
                      - configMap: {name: schema-b}
                - name: secret
                  secret:
                    secretName: creds
                    items: [{key: PASSWORD, path: password}]
                - name: tmp
                  emptyDir: {}
        """

    func makeRun() throws -> ContainerRun {
        let objects = try RenderedObjects(yaml: Self.manifests)
        return ContainerRun(
            pod: try objects.object(kind: "Job").podSpec(),
            containerName: "main",
            configMaps: objects.configMaps,
            secrets: ["creds": ["PASSWORD": "s3cret", "TOKEN": "t0ken"]],
            fieldValues: ["metadata.name": "job-1-abcde"])
    }

    @Test func everyMountedVolumeIsWrittenUnderTheRoot() throws {
        let root = try TemporaryDirectory()
        _ = try makeRun().prepare(root: root.path)
        let files = FileManager.default
        #expect(files.fileExists(atPath: root.path + "/app/scripts/run.sh"))
        #expect(!files.fileExists(atPath: root.path + "/app/scripts/unused.txt"), "items choose the keys")
        #expect(try String(contentsOfFile: root.path + "/app/schema/001_a.sql", encoding: .utf8) == "SELECT 1;\n")
        #expect(try String(contentsOfFile: root.path + "/app/schema/002_b.sql", encoding: .utf8) == "SELECT 2;\n")
        #expect(try String(contentsOfFile: root.path + "/etc/secret/password", encoding: .utf8) == "s3cret")
        #expect(files.fileExists(atPath: root.path + "/tmp"))
        let mode = try files.attributesOfItem(atPath: root.path + "/app/scripts/run.sh")[.posixPermissions] as? Int
        #expect(mode == 0o444)
    }

    @Test func aSecretTheCallerDidNotGiveLeavesItsFileAndVariableOut() throws {
        let root = try TemporaryDirectory()
        var run = try makeRun()
        run.secrets = [:]
        let prepared = try run.prepare(root: root.path)
        #expect(FileManager.default.fileExists(atPath: root.path + "/etc/secret"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/secret/password"))
        #expect(prepared.environment["TOKEN"] == nil)
    }

    @Test func theEnvironmentComesFromTheContainerWithPathsMovedUnderTheRoot() throws {
        let root = try TemporaryDirectory()
        let prepared = try makeRun().prepare(root: root.path)
        var expected = [
            "GREETING": "hello",
            "POD": "job-1-abcde",
            "SCRIPTS": root.path + "/app/scripts",
            "ELSEWHERE": "/application",
            "PASSWORD_FILE": root.path + "/etc/secret/password",
            "TOKEN": "t0ken",
        ]
        expected["PATH"] = prepared.environment["PATH"]
        #expect(prepared.environment == expected)
        #expect(prepared.executable.hasSuffix("/bash"))
        #expect(prepared.arguments == [root.path + "/app/scripts/run.sh", "one", root.path + "/app/scripts"])
    }

    @Test func overridesAndRemovalsApplyAfterTheContainersEnvironment() throws {
        let root = try TemporaryDirectory()
        var run = try makeRun()
        run.environmentOverrides = ["GREETING": "/app/scripts", "EXTRA": "1"]
        run.removedVariables = ["TOKEN"]
        let environment = try run.prepare(root: root.path).environment
        #expect(environment["GREETING"] == "/app/scripts", "overrides are taken as given")
        #expect(environment["EXTRA"] == "1")
        #expect(environment["TOKEN"] == nil)
    }

    @Test func theCommandRunsWithItsOutputCapturedInOrder() throws {
        let root = try TemporaryDirectory()
        var run = try makeRun()
        run.extraArguments = ["--once"]
        let result = try run.run(root: root.path)
        #expect(result.exitCode == 3)
        #expect(!result.timedOut)
        #expect(
            result.output == """
                out hello job-1-abcde
                err \(root.path)/app/scripts
                s3cret
                args one \(root.path)/app/scripts --once

                """)
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() throws {
        let root = try TemporaryDirectory()
        let objects = try RenderedObjects(
            yaml: """
                kind: Deployment
                metadata: {name: sleeper}
                spec:
                  template:
                    spec:
                      containers:
                        - name: sleeper
                          command: [bash, -c, "sleep 30 & echo $! > \(root.path)/child; wait"]
                """)
        let run = ContainerRun(
            pod: try objects.object(kind: "Deployment").podSpec(), containerName: "sleeper", configMaps: [:],
            // Long enough for bash to start and note its child even on a loaded machine.
            timeout: .seconds(2))
        let result = try run.run(root: root.path)
        #expect(result.timedOut)
        #expect(result.exitCode == 128 + SIGKILL)
        #expect(result.duration < .seconds(15))
        let child = try #require(Int32(try String(contentsOfFile: root.path + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The shell's child was in the same group, so it dies too. SIGKILL is delivered at
        // once, but the kernel may take a moment to finish the exit: look for up to 5 s, far
        // less than the 30 s the child would otherwise sleep.
        func isGone() -> Bool {
            guard let state = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8) else { return true }
            return state.contains(") Z ") || state.contains(") X ")
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while !isGone() && ContinuousClock.now < deadline { usleep(20_000) }
        #expect(isGone(), "the shell's child is still alive after the group was killed")
    }

    @Test func theFailurePolicysExitCodesAreReadFromTheJob() throws {
        let job = try RenderedObjects(yaml: Self.manifests).object(kind: "Job")
        #expect(job.exitCodes(for: "FailJob", container: "main") == [65])
        #expect(job.exitCodes(for: "FailJob", container: "first") == [])
    }

    @Test func aFieldWithoutAValueIsAnErrorNamingTheVariable() throws {
        let root = try TemporaryDirectory()
        var run = try makeRun()
        run.fieldValues = [:]
        #expect {
            try run.prepare(root: root.path)
        } throws: { error in
            (error as? InputError)?.diagnosticLine
                == "container main, env POD: error: no value given for field metadata.name"
        }
    }

    @Test func anUnknownContainerIsAnError() throws {
        var run = try makeRun()
        run.containerName = "nope"
        #expect(throws: InputError("container nope", "not found in the pod")) {
            try run.prepare(root: "/nonexistent")
        }
    }
}
