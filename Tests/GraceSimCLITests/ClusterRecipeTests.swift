import GraceSimTestSupport
import Foundation
import GraceSimStore
import Testing

/// Drives `Configs/cluster/slurm-submit.sh` as Slurm would, with a stand-in `sbatch` on PATH that runs each array
/// task in turn with the variables Slurm sets, then the dependent merge job: shards merged equal the unsharded
/// sweep, a task that never ran is named by the merge, and resubmitting it runs only its own shard.
@Suite(.serialized) struct ClusterRecipeTests {
    /// Six short points: three shards of two.
    static let sweepText = """
        name: cluster-test
        base: \(GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/experiments/default.yaml").path)
        set: {workload.max_requests: 150}
        axes:
          workload.arrivals.rate: [2, 6]
        seeds: [1, 2, 3]
        """

    /// A stand-in for `sbatch`: logs its arguments, refuses an `--output` whose folder is missing (Slurm cannot
    /// open the log there), runs an array job's tasks one after another with SLURM_ARRAY_* set (skipping the task
    /// numbered FAKE_SBATCH_SKIP, as if its node died), and prints a job id as `--parsable` does.
    static let fakeSbatch = #"""
        #!/usr/bin/env bash
        set -u
        echo "sbatch $*" >> "$FAKE_SBATCH_LOG"
        array="" output="slurm-%j.out"
        while [[ $# -gt 0 && "$1" == --* ]]; do
            case "$1" in
                --array=*) array="${1#--array=}" ;;
                --output=*) output="${1#--output=}" ;;
            esac
            shift
        done
        script="$1"; shift
        job=$(( $(wc -l < "$FAKE_SBATCH_LOG") + 100 ))
        if [[ ! -d "$(dirname "$output")" ]]; then echo "sbatch: no folder for $output" >&2; exit 1; fi
        if [[ -z "$array" ]]; then
            log="${output//%j/$job}"
            SLURM_JOB_ID=$job bash "$script" "$@" > "$log" 2>&1
            echo "job $job exit $?" >> "$FAKE_SBATCH_LOG"
        else
            tasks=()
            IFS=, read -ra parts <<< "$array"
            for part in "${parts[@]}"; do
                if [[ "$part" == *-* ]]; then tasks+=($(seq "${part%-*}" "${part#*-}")); else tasks+=("$part"); fi
            done
            sorted=($(printf '%s\n' "${tasks[@]}" | sort -n))
            for task in "${tasks[@]}"; do
                [[ "$task" == "${FAKE_SBATCH_SKIP:-none}" ]] && continue
                log="${output//%A/$job}"; log="${log//%a/$task}"
                SLURM_ARRAY_JOB_ID=$job SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_COUNT=${#tasks[@]} \
                    SLURM_ARRAY_TASK_MIN=${sorted[0]} SLURM_ARRAY_TASK_MAX=${sorted[${#sorted[@]}-1]} SLURM_CPUS_PER_TASK=1 \
                    bash "$script" "$@" > "$log" 2>&1
                echo "task $task exit $?" >> "$FAKE_SBATCH_LOG"
            done
        fi
        echo "$job"
        """#

    struct ShellResult {
        var status: Int32
        var output: String
    }

    /// Runs `bash script arguments...` in `folder` with `bin` first on PATH.
    static func bash(_ arguments: [String], in folder: ScratchFolder, bin: String,
                     environment extra: [String: String] = [:]) throws -> ShellResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = arguments
        process.currentDirectoryURL = folder.url
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "GRACESIM_CONFIGS")
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["FAKE_SBATCH_LOG"] = folder.path("sbatch.log")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = folder.path("shell-output")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return ShellResult(status: process.terminationStatus, output: try String(contentsOfFile: output, encoding: .utf8))
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The texts of the files in `folder` whose names start with `prefix` and end with `suffix`, by name.
    static func logs(in folder: String, prefix: String = "slurm-", suffix: String = ".log") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted().map { read(folder + "/" + $0) }
    }

    @Test func theSlurmRecipeMergesToTheUnshardedSweep() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let sweep = try folder.write("cluster-test.yaml", Self.sweepText)
        let whole = folder.path("whole.sqlite")
        expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", whole, "--quiet"]))

        let bin = folder.path("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let sbatch = try folder.write("bin/sbatch", Self.fakeSbatch)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sbatch)
        let executable = try #require(GraceSimProcess.executable)
        try FileManager.default.createSymbolicLink(atPath: bin + "/gracesim", withDestinationPath: executable.path)
        let submit = GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/cluster/slurm-submit.sh").path
        let shards = folder.path("Results/shards/cluster-test")
        let merged = folder.path("Results/cluster-test.sqlite")

        // Task 1 never runs: the merge still runs (afterany), merges 0 and 2 and names 1.
        let first = try Self.bash([submit, sweep, "3"], in: folder, bin: bin, environment: ["FAKE_SBATCH_SKIP": "1"])
        #expect(first.status == 0, "\(first.output)")
        let log = Self.read(folder.path("sbatch.log"))
        #expect(log.contains("--array=0-2"), "\(log)")
        #expect(log.contains("--dependency=afterany:"), "\(log)")
        #expect(log.contains("task 0 exit 0") && log.contains("task 2 exit 0") && !log.contains("task 1 exit"), "\(log)")
        #expect(log.contains("exit 1"), "the merge should fail while a shard is missing: \(log)")
        let secondTask = try Self.logs(in: shards, suffix: "_2.log")
        #expect(secondTask.count == 1 && secondTask[0].contains("shard 2/3: the points whose index modulo 3 is 2 (from --shard 2/3)"), "\(secondTask)")
        let mergeLogs = try Self.logs(in: shards, prefix: "slurm-merge-")
        #expect(mergeLogs.count == 1)
        let mergeLog = mergeLogs.first ?? ""
        #expect(mergeLog.contains("missing or unfinished: 1 (under Slurm, rerun them with: Configs/cluster/slurm-submit.sh \(sweep) 3 1)"), "\(mergeLog)")
        #expect(try SweepCommandTests.rowCounts(merged)["runs"] == 4)

        // Resubmitting task 1 alone runs shard 1/3 only, and the merge completes the grid.
        let second = try Self.bash([submit, sweep, "3", "1"], in: folder, bin: bin)
        #expect(second.status == 0, "\(second.output)")
        let secondLog = Self.read(folder.path("sbatch.log"))
        #expect(secondLog.contains("--array=1 "), "\(secondLog)")
        let taskLogs = try Self.logs(in: shards, suffix: "_1.log")
        #expect(taskLogs.count == 1)
        let taskLog = taskLogs.first ?? ""
        #expect(taskLog.contains("shard 1/3") && taskLog.contains("2 points (shard 1/3): 2 run"), "\(taskLog)")
        #expect(try SweepCommandTests.rowCounts(shards + "/cluster-test-1.sqlite")["runs"] == 2)
        #expect(secondLog.hasSuffix("exit 0\n"), "the second merge should succeed: \(secondLog)")

        #expect(try SweepCommandTests.rowCounts(merged) == SweepCommandTests.rowCounts(whole))
        #expect(try SweepCommandTests.finishedResults(merged) == SweepCommandTests.finishedResults(whole))
        let diff = try await GraceSimProcess.run(["diff", whole, merged, "--tolerance", "0%"])
        expectSuccess(diff)
        #expect(diff.stdoutText.contains("6 runs compared, 0 metrics moved"), "\(diff.stdoutText)")
    }

    /// The Kubernetes recipe hangs together: a ReadWriteMany claim the pods mount, folders made before the sweep,
    /// one shard count in the Job's completions, its --shard and the merge Job, and an image recipe that builds.
    @Test func theKubernetesRecipeIsConsistent() throws {
        let cluster = GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/cluster")
        let job = Self.read(cluster.appendingPathComponent("k8s-sweep-job.yaml").path)
        let merge = Self.read(cluster.appendingPathComponent("k8s-merge-job.yaml").path)
        let image = Self.read(cluster.appendingPathComponent("Containerfile").path)
        #expect(job.contains("kind: PersistentVolumeClaim") && job.contains("accessModes: [ReadWriteMany]"))
        #expect(job.contains("name: gracesim-results") && job.contains("claimName: gracesim-results") && merge.contains("claimName: gracesim-results"))
        #expect(job.contains("completions: 16") && job.contains("parallelism: 16") && job.contains("--shard ${JOB_COMPLETION_INDEX}/16"))
        #expect(merge.contains(#"["Configs/cluster/merge-shards.sh", "Configs/sweeps/c1-strategy-rate.yaml", "16"]"#))
        let mkdir = try #require(job.range(of: "mkdir -p Results/shards/c1-strategy-rate"))
        let sweep = try #require(job.range(of: "gracesim sweep"))
        #expect(mkdir.lowerBound < sweep.lowerBound)
        #expect(job.contains("mountPath: /gracesim/Results") && merge.contains("mountPath: /gracesim/Results"))
        #expect(image.contains("swift build -c release") && image.contains("/usr/local/bin/gracesim") && image.contains("WORKDIR /gracesim"))
        #expect(FileManager.default.isExecutableFile(atPath: cluster.appendingPathComponent("merge-shards.sh").path))
    }

    /// After both Jobs have ended no pod mounts the volume: the reader pod mounts the same claim read-only, stays up
    /// for the copy (and no longer than an hour), and its own instructions and the README copy the merged database
    /// from where the merge Job wrote it (the Jobs' Results folder is the volume's root).
    @Test func theKubernetesResultIsFetchedFromAReaderPod() throws {
        let cluster = GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/cluster")
        let reader = Self.read(cluster.appendingPathComponent("k8s-fetch-pod.yaml").path)
        let merge = Self.read(cluster.appendingPathComponent("k8s-merge-job.yaml").path)
        let readme = Self.read(GraceSimProcess.repositoryRoot.appendingPathComponent("README.md").path)
        #expect(reader.contains("kind: Pod") && reader.contains("name: gracesim-results-reader"))
        #expect(reader.contains("claimName: gracesim-results") && reader.contains("readOnly: true"))
        #expect(reader.contains("mountPath: /results") && reader.contains(#"command: ["sleep", "3600"]"#))
        #expect(reader.contains("activeDeadlineSeconds: 3600"))
        #expect(merge.contains("mountPath: /gracesim/Results"))  // the merge writes Results/X.sqlite at the volume's root
        let copy = "kubectl cp gracesim-results-reader:/results/c1-strategy-rate.sqlite Results/c1-strategy-rate.sqlite"
        #expect(reader.contains(copy) && readme.contains(copy))
        #expect(readme.contains("kubectl apply -f Configs/cluster/k8s-fetch-pod.yaml"))
        #expect(!merge.contains("<any pod with the volume>"))
    }
}
