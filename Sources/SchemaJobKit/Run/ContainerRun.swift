import Foundation

/// Runs one container of a rendered pod on this machine, the way the kubelet would start
/// it, with every absolute path moved under a temporary root: its volumes are written
/// to `root + mountPath`, its environment is built from its `env` alone (plus this
/// machine's `PATH`, where the image's tools would be), and `command + args` runs as a
/// process. `apply`, `verify` and the tests run the Job's scripts through this, so the
/// local run and the cluster run read the same manifests.
///
/// Differences from a kubelet, on purpose: a Secret (or key) the caller did not give is
/// left out instead of failing the pod, so `apply` works with a password from
/// `~/.pgpass`; `$(VAR)` references are not expanded (the templates use none); and a
/// run ends when every process it started has ended (Foundation notices an exit only
/// then), where a container ends with its first process.
public struct ContainerRun: Sendable {
    public enum Output: Sendable {
        /// The process writes to this process's standard output and error.
        case inherit
        /// Standard output and error are collected together, in order, like `kubectl logs`.
        case capture
    }

    public var pod: PodSpec
    public var containerName: String
    /// ConfigMap data by ConfigMap name (usually `RenderedObjects.configMaps`).
    public var configMaps: [String: [String: String]]
    /// Secret data by Secret name.
    public var secrets: [String: [String: String]]
    /// Values for `fieldRef`, by field path (`metadata.name`).
    public var fieldValues: [String: String]
    /// Set after the container's own environment is built; never moved under the root.
    public var environmentOverrides: [String: String]
    /// Variables to leave out of the environment, after the overrides.
    public var removedVariables: Set<String>
    /// Appended to the container's `command + args`.
    public var extraArguments: [String]
    /// After this long the whole process group is killed with SIGKILL.
    public var timeout: Duration?
    public var output: Output

    public init(
        pod: PodSpec,
        containerName: String,
        configMaps: [String: [String: String]],
        secrets: [String: [String: String]] = [:],
        fieldValues: [String: String] = [:],
        environmentOverrides: [String: String] = [:],
        removedVariables: Set<String> = [],
        extraArguments: [String] = [],
        timeout: Duration? = nil,
        output: Output = .capture
    ) {
        self.pod = pod
        self.containerName = containerName
        self.configMaps = configMaps
        self.secrets = secrets
        self.fieldValues = fieldValues
        self.environmentOverrides = environmentOverrides
        self.removedVariables = removedVariables
        self.extraArguments = extraArguments
        self.timeout = timeout
        self.output = output
    }

    /// What `run` starts, once the volumes are written.
    public struct Prepared: Sendable, Equatable {
        public var executable: String
        public var arguments: [String]
        public var environment: [String: String]
        public var workingDirectory: String
    }

    public struct Result: Sendable {
        /// The exit status, or 128 + the signal's number when a signal ended the
        /// process (as Kubernetes reports it).
        public var exitCode: Int32
        public var timedOut: Bool
        /// Standard output and error, interleaved; empty with `.inherit`.
        public var output: String
        public var duration: Duration
    }

    /// Writes the container's volumes under `root` and works out what to start.
    public func prepare(root: String) throws -> Prepared {
        let root = root.hasSuffix("/") ? String(root.dropLast()) : root
        let container = try self.container()
        let mounts = container.volumeMounts ?? []
        for mount in mounts {
            try materialize(mount, of: container, under: root)
        }
        let mountPaths = mounts.map(\.mountPath)
        func moved(_ value: String) -> String {
            let covering = mountPaths.filter { value == $0 || value.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
            return covering.isEmpty ? value : root + value
        }

        var environment = try containerEnvironment(container).mapValues(moved)
        if environment["PATH"] == nil {
            environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        }
        environment.merge(environmentOverrides) { _, override in override }
        for name in removedVariables { environment[name] = nil }

        guard let command = container.command, let program = command.first else {
            throw InputError("container \(containerName)", "has no command: the image's entrypoint is not known here")
        }
        let arguments = (command.dropFirst() + (container.args ?? [])).map(moved) + extraArguments
        return Prepared(
            executable: try resolve(moved(program), path: environment["PATH"] ?? ""),
            arguments: arguments,
            environment: environment,
            workingDirectory: root + (container.workingDir ?? "/"))
    }

    /// Writes the volumes under `root`, then runs the container's command to its end.
    /// It blocks the calling thread: call it from a command, or from a thread of its own.
    public func run(root: String) throws -> Result {
        let prepared = try prepare(root: root)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prepared.executable)
        process.arguments = prepared.arguments
        process.environment = prepared.environment
        process.currentDirectoryURL = URL(fileURLWithPath: prepared.workingDirectory)
        process.standardInput = FileHandle.nullDevice

        var logPath: String?
        var logHandle: FileHandle?
        if output == .capture {
            let path = FileManager.default.temporaryDirectory.path + "/schemajob-\(UUID().uuidString).log"
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let log = FileHandle(forWritingAtPath: path)
            else {
                throw InputError(path, "cannot create the file that collects the container's output")
            }
            // One handle for both streams: they share its offset, so lines stay in order.
            process.standardOutput = log
            process.standardError = log
            logPath = path
            logHandle = log
        }
        // Closed when the run ends, not when Foundation's Process lets go of it (see Subprocess).
        defer { try? logHandle?.close() }
        defer { if let logPath { try? FileManager.default.removeItem(atPath: logPath) } }

        let clock = ContinuousClock()
        let start = clock.now
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try process.run()
        } catch {
            throw InputError("container \(containerName)", "cannot start \(prepared.executable): \(error)")
        }
        var killed = false
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            if ended.wait(timeout: .now() + Double(seconds) + Double(attoseconds) / 1e18) == .timedOut {
                // Foundation starts every child in a process group of its own: killing the
                // group kills the shell's psql too, as every process of a container dies
                // with its pod.
                kill(-process.processIdentifier, SIGKILL)
                killed = true
                ended.wait()
            }
        } else {
            ended.wait()
        }
        let signaled = process.terminationReason == .uncaughtSignal
        var text = ""
        if let logPath, let data = FileManager.default.contents(atPath: logPath) {
            text = String(decoding: data, as: UTF8.self)
        }
        return Result(
            exitCode: signaled ? 128 + process.terminationStatus : process.terminationStatus,
            timedOut: killed && signaled, output: text, duration: clock.now - start)
    }

    private func container() throws -> Container {
        guard let container = pod.container(named: containerName) else {
            throw InputError("container \(containerName)", "not found in the pod")
        }
        if container.envFrom != nil {
            throw InputError("container \(containerName)", "envFrom is not supported by the local runner")
        }
        return container
    }

    private func containerEnvironment(_ container: Container) throws -> [String: String] {
        var environment: [String: String] = [:]
        for variable in container.env ?? [] {
            if let value = variable.value {
                environment[variable.name] = value
                continue
            }
            guard let source = variable.valueFrom else {
                environment[variable.name] = ""
                continue
            }
            let place = "container \(containerName), env \(variable.name)"
            if let reference = source.secretKeyRef {
                environment[variable.name] = secrets[reference.name]?[reference.key]
            } else if let reference = source.configMapKeyRef {
                guard let value = configMaps[reference.name]?[reference.key] else {
                    if reference.optional == true { continue }
                    throw InputError(place, "no key \(reference.key) in ConfigMap \(reference.name)")
                }
                environment[variable.name] = value
            } else if let reference = source.fieldRef {
                guard let value = fieldValues[reference.fieldPath] else {
                    throw InputError(place, "no value given for field \(reference.fieldPath)")
                }
                environment[variable.name] = value
            } else {
                throw InputError(place, "this kind of valueFrom is not supported by the local runner")
            }
        }
        return environment
    }

    private func materialize(_ mount: VolumeMount, of container: Container, under root: String) throws {
        let place = "container \(containerName), volume \(mount.name)"
        guard mount.subPath == nil else {
            throw InputError(place, "subPath mounts are not supported by the local runner")
        }
        guard let volume = pod.volumes?.first(where: { $0.name == mount.name }) else {
            throw InputError(place, "the pod has no such volume")
        }
        let directory = root + mount.mountPath
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let source = volume.configMap {
            try writeConfigMap(source, defaultMode: source.defaultMode, into: directory, place: place)
        } else if let source = volume.secret {
            try writeSecret(source.secretName, items: source.items, defaultMode: source.defaultMode, into: directory, place: place)
        } else if let projected = volume.projected {
            for projection in projected.sources {
                if let source = projection.configMap {
                    try writeConfigMap(source, defaultMode: projected.defaultMode, into: directory, place: place)
                } else if let source = projection.secret {
                    try writeSecret(source.name, items: source.items, defaultMode: projected.defaultMode, into: directory, place: place)
                } else {
                    throw InputError(place, "only configMap and secret projections are supported by the local runner")
                }
            }
        } else if volume.emptyDir == nil {
            throw InputError(place, "only configMap, secret, projected and emptyDir volumes are supported by the local runner")
        }
    }

    private func writeConfigMap(
        _ source: Volume.ConfigMapSource, defaultMode: Int?, into directory: String, place: String
    ) throws {
        guard let data = configMaps[source.name] else {
            if source.optional == true { return }
            throw InputError(place, "no ConfigMap named \(source.name) in the rendered manifests")
        }
        try writeFiles(
            data, items: source.items, defaultMode: source.defaultMode ?? defaultMode,
            into: directory, missingKeysAllowed: source.optional == true, place: place)
    }

    /// A Secret the caller did not give, or a key it lacks, leaves its file out (see above).
    private func writeSecret(
        _ name: String, items: [Volume.KeyToPath]?, defaultMode: Int?, into directory: String, place: String
    ) throws {
        try writeFiles(
            secrets[name] ?? [:], items: items, defaultMode: defaultMode, into: directory, missingKeysAllowed: true,
            place: place)
    }

    private func writeFiles(
        _ data: [String: String], items: [Volume.KeyToPath]?, defaultMode: Int?, into directory: String,
        missingKeysAllowed: Bool, place: String
    ) throws {
        let items = items ?? data.keys.sorted().map { Volume.KeyToPath(key: $0, path: $0, mode: nil) }
        // Each directory is made once, and a file is removed first only when it cannot be
        // written over (a read-only file an earlier item or projection wrote): the scratch
        // root starts empty, and a few hundred files made a stat, a getcwd and an unlink
        // each for nothing.
        var directories: Set<String> = [directory]
        for item in items {
            guard let value = data[item.key] else {
                if missingKeysAllowed { continue }
                throw InputError(place, "no key \(item.key) to write to \(item.path)")
            }
            let path = directory + "/" + item.path
            let parent = (path as NSString).deletingLastPathComponent
            if directories.insert(parent).inserted {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            }
            // The kubelet's default mode is 0644; `mode` and `defaultMode` are decimal in JSON.
            // A plain write: these files live for one run in a scratch directory, and
            // Foundation's writes end with an fsync per file, which made writing a few
            // hundred files the slowest step of `apply`.
            let bytes = Array(value.utf8)
            let mode = mode_t(item.mode ?? defaultMode ?? 0o644)
            if !writeScratchFile(path, bytes, mode: mode) {
                try? FileManager.default.removeItem(atPath: path)
                guard writeScratchFile(path, bytes, mode: mode) else {
                    throw InputError(place, "cannot write \(path)")
                }
            }
        }
    }

    private func resolve(_ program: String, path: String) throws -> String {
        if program.contains("/") { return program }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw InputError("container \(containerName)", "\(program) is not on PATH (\(path))")
    }
}

/// Writes `bytes` to a new file with exactly `mode` (the umask does not apply).
private func writeScratchFile(_ path: String, _ bytes: [UInt8], mode: mode_t) -> Bool {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else { return false }
        written += result
    }
    return fchmod(descriptor, mode) == 0
}
