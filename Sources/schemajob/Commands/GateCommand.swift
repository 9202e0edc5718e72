import ArgumentParser
import Foundation
import SchemaJobKit

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Gate workloads in a YAML stream on this migration, and append the migration's objects.",
        discussion: """
            A filter: reads Kubernetes manifests on stdin (from helm template, kubectl kustomize \
            or files), adds the schemajob-wait-for-schema init container (and the volumes it reads) \
            to every Deployment, StatefulSet, DaemonSet, Job and CronJob that gate.workloads names or \
            that is labelled schemajob.io/gate: "true" (right after the pod's last native sidecar, \
            else first), leaves their own containers and init containers as they are, writes every \
            other document back exactly as it came, and appends the migration's ConfigMaps, Job and \
            NetworkPolicy. That is the contract of a Helm post-renderer (Helm 3: this executable; \
            Helm 4: the plugin in integrations/helm/schemajob-gate). Running it over its own output \
            changes nothing.

            Exit codes: 0 done; 2 bad input (malformed YAML, an empty stream, a named workload not \
            in the input or in it twice, a Helm pre-install/pre-upgrade hook selected for gating, a \
            gate container or object that differs from this render's), with one line on stderr and \
            nothing on stdout.

            Examples:
              kubectl kustomize overlays/prod | schemajob gate --set gate.workloads=deployment/reservation-processor | kubectl apply -f -
              helm upgrade --install gpu-dev ./chart --post-renderer schemajob --post-renderer-args gate   # Helm 3
              helm upgrade --install gpu-dev ./chart --post-renderer schemajob-gate                          # Helm 4
            """
    )

    @OptionGroup var inputs: RenderInputOptions

    @OptionGroup var strictness: StrictOption

    func run() throws {
        let rendering = try SchemaJob.render(inputs.request, linting: true)
        try LintCommand.requireClean(rendering, skipped: false, strict: strictness.strict, command: "gate")
        let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        // Every document is made before the first is written: bad input writes nothing.
        let documents = try rendering.gate(input)
        documents.forEach(Terminal.output)
    }
}
