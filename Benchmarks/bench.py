"""The benchmarks behind Benchmarks/README.md; run through Benchmarks/run.

Every figure is a whole process (start-up included), the median of N runs; the
commands of one table take turns run by run, so a slow moment of a busy machine
falls on all of them alike. Wall time comes from a monotonic clock around the
child, peak RSS from the child's own rusage (wait4), so nothing is installed.
"""

import argparse
import glob
import json
import os
import pwd
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import corpus

MiB = 1024 * 1024

JOB = """apiVersion: batch/v1
kind: Job
metadata:
  name: db-migration
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: ghcr.io/pgmq/pg18-pgmq:v1.8.1
          command: ["bash", "-c", "for f in /schema/*.sql /fixtures/*.sql; do psql -f $f; done"]
          volumeMounts:
            - {name: schema, mountPath: /schema}
            - {name: fixtures, mountPath: /fixtures}
      volumes:
        - name: schema
          configMap: {name: db-schema}
        - name: fixtures
          configMap: {name: db-fixtures}
"""


def run(command, *, env=None, cwd=None, stdout_path=os.devnull, expect=0):
    """One whole process: (wall seconds, peak RSS in KiB). Any exit code but `expect`
    stops the benchmark."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != expect:
            err.seek(0)
            sys.exit(f"bench: {' '.join(command[:3])} ... exited {child.returncode}:\n"
                     + err.read().decode(errors="replace")[-2000:])
    return wall, usage.ru_maxrss


def medians(commands, runs, setup=None):
    """Runs each command `runs` times, taking turns; {name: (median wall, median KiB)}."""
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, spec in commands.items():
            if setup:
                spec = setup(name, spec)
            samples[name].append(run(**spec))
    return {name: (statistics.median(s[0] for s in runs_), statistics.median(s[1] for s in runs_))
            for name, runs_ in samples.items()}


def kustomization(directory, schema, fixtures):
    """What kustomize needs to do the same work: the files as two ConfigMaps, named by
    their content hash, and a Job whose volumes it rewrites to those names."""
    def listing(phase, names):
        return "".join(f"      - database/{phase}/{name}\n" for name in names)
    with open(os.path.join(directory, "kustomization.yaml"), "w") as handle:
        handle.write("resources:\n  - job.yaml\nconfigMapGenerator:\n"
                     "  - name: db-schema\n    files:\n" + listing("schema", schema)
                     + "  - name: db-fixtures\n    files:\n" + listing("fixtures", fixtures))
    with open(os.path.join(directory, "job.yaml"), "w") as handle:
        handle.write(JOB)


def table(rows, header):
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).rjust(width) for cell, width in zip(row, widths))
    print(line(header))
    for row in rows:
        print(line(row))


def bench_tools(schemajob, scratch, corpora, static=None):
    render_walls = {}
    for label, schema_files, fixture_files, size, runs, generate in corpora:
        directory = os.path.join(scratch, label.replace(" ", "-"))
        database = os.path.join(directory, "database")
        total = generate(database, schema_files, fixture_files, size)
        kustomization(directory, sorted(os.listdir(database + "/schema")), sorted(os.listdir(database + "/fixtures")))
        out = os.path.join(directory, "out.yaml")
        commands = {
            "schemajob --help": dict(command=[schemajob, "--help"]),
            "schemajob hash": dict(command=[schemajob, "hash", "--database", database]),
            "schemajob lint": dict(command=[schemajob, "lint", "--database", database]),
            "schemajob render": dict(command=[schemajob, "render", "--database", database], stdout_path=out),
            "kubectl kustomize": dict(command=["kubectl", "kustomize", directory], stdout_path=out),
        }
        if static:
            commands["schemajob --help (static runtime)"] = dict(command=[static, "--help"])
            commands["schemajob hash (static runtime)"] = dict(command=[static, "hash", "--database", database])
            # The binary the release archive and the image ship.
            commands["schemajob render (static runtime)"] = dict(command=[static, "render", "--database", database], stdout_path=out)
        # A set whose Job Kubernetes or the pod's kernel would refuse is refused by render
        # too (exit 2, nothing written): its render is then timed to that refusal, and
        # compared with nothing.
        probe = subprocess.run([schemajob, "render", "--database", database, "-o", out + ".probe"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        refusal = probe.stderr.decode(errors="replace").strip().splitlines()[-1] if probe.returncode == 2 else None
        if refusal:
            for name in [name for name in commands if name.startswith("schemajob render")]:
                commands[name.replace("render", "render (refused)", 1)] = dict(commands.pop(name), expect=2)
        result = medians(commands, runs)
        files = schema_files + fixture_files
        print(f"\n## {label}: {files} files, {total / MiB:.2f} MiB ({total} bytes); medians of {runs} alternating runs")
        table([[name, f"{wall * 1000:.1f}", f"{kib / 1024:.1f}"] for name, (wall, kib) in result.items()],
              ["command", "wall ms", "peak RSS MiB"])
        if refusal:
            print(f"render refuses this set (exit 2), so it is compared with nothing: {refusal}")
            continue
        render, kustomize = result["schemajob render"], result["kubectl kustomize"]
        print(f"render / kustomize: wall {render[0] / kustomize[0]:.2f}x, peak RSS {render[1] / kustomize[1]:.2f}x; "
              f"render peak RSS / input {render[1] * 1024 / total:.2f}x")
        if "schemajob render (static runtime)" in result:
            shipped = result["schemajob render (static runtime)"]
            print(f"render (static runtime, as released) / kustomize: wall {shipped[0] / kustomize[0]:.2f}x, "
                  f"peak RSS {shipped[1] / kustomize[1]:.2f}x")
        render_walls[label] = render[0]
    labels = [label for label, *_, generate in corpora if generate is corpus.generate]
    if len(labels) >= 3 and labels[2] in render_walls:
        print(f"\nrender {labels[2]} / {labels[1]}: {render_walls[labels[2]] / render_walls[labels[1]]:.2f}x "
              "(linear would be 8x)")


class Server:
    """A throwaway PostgreSQL like the tests' harness: run as `postgres` (the server
    refuses root), a unix socket with trust in a fresh directory under /tmp."""

    def __init__(self, settings=()):
        """`settings`: more `-c name=value` for the server (a large set in one transaction
        needs more max_locks_per_transaction)."""
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not binaries:
            sys.exit("bench: no PostgreSQL server (apt-get install postgresql; scripts/test does it)")
        self.binaries = binaries[-1]
        self.directory = tempfile.mkdtemp(prefix="schemajob-bench-pg.", dir="/tmp")
        self.prefix = []
        if os.getuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            self.prefix = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        data = self.directory + "/data"
        subprocess.run(self.prefix + [self.binaries + "/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                                      "--encoding=UTF8", "--locale=C", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL)
        self.log = open(self.directory + "/server.log", "wb")
        self.process = subprocess.Popen(
            self.prefix + [self.binaries + "/postgres", "-D", data, "-p", str(self.port), "-c", "listen_addresses=",
                           "-c", f"unix_socket_directories={self.directory}", "-c", "fsync=off",
                           "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
            + [argument for setting in settings for argument in ("-c", setting)],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        for _ in range(300):
            if subprocess.run([self.binaries + "/pg_isready", "-q", "-h", self.directory, "-p", str(self.port)]).returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        sys.exit("bench: PostgreSQL did not start")

    def environment(self, database):
        return dict(os.environ, PGHOST=self.directory, PGPORT=str(self.port), PGUSER="postgres", PGDATABASE=database)

    def create(self, database):
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {database}"],
                       env=self.environment("postgres"), check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def job_container(schemajob, database, root):
    """The Job's `migrate` container as its pod would run it: `schemajob render --format
    json`, every ConfigMap volume it mounts written under `root` at its mount path, its
    literal env values (the PG* ones come from the benchmark's server instead). What the
    issue calls the Job's migration: no render, no init container, the script alone."""
    rendered = subprocess.run([schemajob, "render", "--database", database, "--format", "json"],
                              check=True, capture_output=True, text=True).stdout
    objects = json.loads(rendered)
    config_maps = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    pod = next(o for o in objects if o["kind"] == "Job")["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "migrate")
    volumes = {v["name"]: v for v in pod["volumes"]}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        sources = [p["configMap"] for p in volume.get("projected", {}).get("sources", []) if "configMap" in p]
        if "configMap" in volume:
            sources.append(volume["configMap"])
        directory = root + mount["mountPath"]
        os.makedirs(directory, exist_ok=True)
        for source in sources:
            for key, text in config_maps[source["name"]].items():
                with open(os.path.join(directory, key), "w") as file:
                    file.write(text)
    environment = {e["name"]: e["value"] for e in container.get("env", [])
                   if "value" in e and not e["name"].startswith("PG")}
    command = [part.replace("/schemajob/", root + "/schemajob/") if part.startswith("/schemajob/") else part
               for part in container["command"] + container.get("args", [])]
    return command, environment


def bench_migration(schemajob, scratch, label, runs):
    """The Job's migrate container, `schemajob apply`, the seed platform's psql-per-file loop, and
    one `psql -1` over every file (the floor), on fresh and on up-to-date databases."""
    database = os.path.join(scratch, label.replace(" ", "-"), "database")
    files = sorted(glob.glob(database + "/schema/*.sql")) + sorted(glob.glob(database + "/fixtures/*.sql"))
    loop = ("for file in \"$1\"/schema/*.sql; do psql -v ON_ERROR_STOP=1 -q -f \"$file\"; done; "
            "for file in \"$1\"/fixtures/*.sql; do psql -v ON_ERROR_STOP=1 -q -f \"$file\"; done")
    job_command, job_environment = job_container(schemajob, database, os.path.join(scratch, "pod"))
    methods = {
        "the Job's migrate container": job_command,
        "schemajob apply (render + both containers)": [schemajob, "apply", "--database", database],
        "per-file psql loop (seed)": ["bash", "-c", loop, "loop", database],
        "one psql -1 over all files": ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-1"]
                                      + [arg for path in files for arg in ("-f", path)],
    }
    server = Server()
    try:
        counter = iter(range(1_000_000))

        def environment(name, database_name):
            extra = job_environment if name == "the Job's migrate container" else {}
            return dict(server.environment(database_name), **extra)

        def fresh(name, command):
            database_name = f"fresh_{next(counter)}"
            server.create(database_name)
            return dict(command=command, env=environment(name, database_name))

        fresh_result = medians(methods, runs, setup=fresh)
        current = {}
        for index, (name, command) in enumerate(methods.items()):
            database_name = f"current_{index}"
            server.create(database_name)
            run(command, env=environment(name, database_name))
            current[name] = dict(command=command, env=environment(name, database_name))
        current_result = medians(current, runs)
    finally:
        server.stop()
    print(f"\n## Migration of the {label} corpus ({len(files)} files) into PostgreSQL "
          f"({os.path.basename(os.path.dirname(server.binaries))}, local socket); medians of {runs} alternating runs")
    rows = [[name, f"{fresh_result[name][0] * 1000:.0f}", f"{current_result[name][0] * 1000:.0f}"] for name in methods]
    table(rows, ["method", "fresh database ms", "up-to-date database ms"])
    job, apply, loop_, single = (methods_result for methods_result in methods)
    for state, result in (("fresh", fresh_result), ("up to date", current_result)):
        print(f"{state}: loop / Job {result[loop_][0] / result[job][0]:.1f}x, "
              f"Job / single psql {result[job][0] / result[single][0]:.2f}x; "
              f"loop / apply {result[loop_][0] / result[apply][0]:.1f}x, "
              f"apply / single psql {result[apply][0] / result[single][0]:.2f}x")


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    kubectl = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True).stdout.split("\n")
    return f"{os.cpu_count()} CPUs ({model}), {memory / 1024 / 1024:.1f} GiB; {kubectl[1] if len(kubectl) > 1 else kubectl[0]}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny corpora, one run each")
    parser.add_argument("--schemajob", required=True)
    parser.add_argument("--static-schemajob", help="the same build with --static-swift-stdlib, timed beside it")
    parser.add_argument("--runs", type=int, help="runs per corpus and migration method instead of the defaults")
    parser.add_argument("--corpus", action="append", help="only the corpora of this label (repeatable); "
                        "the migration is timed only when the first corpus is among them")
    arguments = parser.parse_args()
    schemajob = os.path.abspath(arguments.schemajob)
    if arguments.smoke:
        corpora = [("smoke small", 18, 2, 10_000, 1, corpus.generate), ("smoke medium", 20, 5, 200_000, 1, corpus.generate),
                   ("smoke large", 40, 10, 400_000, 1, corpus.generate),
                   ("smoke dense", 4, 2, 100_000, 1, corpus.generate_dense)]
        migration_runs = 1
    else:
        # The statement-dense corpus: 30 tables a schema file, each with its index, touch
        # function and trigger, and one-row upserts; about 63,600 statements in 8 MiB.
        corpora = [("200 files", 180, 20, 100_000, 21, corpus.generate), ("8 MiB", 200, 50, 8 * MiB, 7, corpus.generate),
                   ("64 MiB", 999, 999, 64 * MiB, 3, corpus.generate),
                   ("8 MiB statement-dense", 200, 50, 8 * MiB, 7, corpus.generate_dense)]
        migration_runs = 5
    if arguments.runs:
        corpora = [c[:4] + (arguments.runs,) + c[5:] for c in corpora]
        migration_runs = arguments.runs
    if arguments.corpus:
        corpora = [c for c in corpora if c[0] in arguments.corpus]
        if not corpora:
            sys.exit(f"bench: no corpus named {arguments.corpus}")
    print(f"# schemajob benchmarks{' (smoke: tiny corpora, one run each)' if arguments.smoke else ''}")
    print(f"machine: {machine()}")
    scratch = tempfile.mkdtemp(prefix="schemajob-bench.")
    try:
        static = os.path.abspath(arguments.static_schemajob) if arguments.static_schemajob else None
        bench_tools(schemajob, scratch, corpora, static)
        if corpora[0][0] in ("200 files", "smoke small"):
            bench_migration(schemajob, scratch, corpora[0][0], migration_runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
