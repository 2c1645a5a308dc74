import ArgumentParser
import ControllerRuntime
import Foundation
import KubeModel
import Unstructured

/// `ms2m bench runtime breakdown`: where the bytes of a slim cached pod go. Builds `--pods` sample pods,
/// slims them as the informer does, and reports the resident memory per pod (after glibc's `malloc_trim`
/// returned freed pages) for the whole pod and with one part removed at a time; the difference is that
/// part's cost.
struct RuntimeBenchBreakdown: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakdown", abstract: "Heap bytes per slim cached pod, by part (diagnostic).",
        shouldDisplay: false)

    @Option(help: "Pods to build.")
    var pods = 20_000

    @Option(help: "Measure only this part, in this process (used by the parent run).")
    var part: String?

    static let parts: [(name: String, strip: @Sendable (inout Pod) -> Void)] = [
        ("none", { _ in }),
        ("metadata.labels", { $0.metadata.labels = nil }),
        ("metadata.annotations", { $0.metadata.annotations = nil }),
        ("metadata.ownerReferences", { $0.metadata.ownerReferences = nil }),
        ("metadata.uid", { $0.metadata.uid = nil }),
        ("spec.volumes", { $0.spec?.volumes = nil }),
        ("spec.containers", { $0.spec?.containers = [] }),
        ("status.conditions", { $0.status?.conditions = nil }),
        ("status", { $0.status = nil }),
        ("spec", { $0.spec = nil }),
    ]

    func run() async throws {
        if let part {
            guard let strip = Self.parts.first(where: { $0.name == part })?.strip else {
                throw ValidationError("unknown part \(part)")
            }
            print(try measure(strip))
            return
        }
        let executable = try BenchProcess.currentExecutable()
        print("Resident bytes per slim pod (\(pods) pods; Pod is \(MemoryLayout<Pod>.stride) B inline), and what each part costs:")
        var whole = 0
        for (name, _) in Self.parts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["bench", "runtime", "breakdown", "--pods", String(pods), "--part", name]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let bytes = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if name == "none" {
                whole = bytes
                print("  whole pod                  \(bytes)")
            } else {
                print("  \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(whole - bytes)")
            }
        }
    }

    /// Resident bytes per pod of `pods` slim pods with `strip` applied, kept in an array.
    private func measure(_ strip: @Sendable (inout Pod) -> Void) throws -> Int {
        let decoder = JSONValueDecoder()
        var kept: [Pod] = []
        kept.reserveCapacity(pods)
        MallocTrim.trim()
        let before = ResidentMemory.current()
        for index in 0..<pods {
            var pod = ObjectTransforms.slimPod(try decoder.decode(Pod.self, from: SamplePods.pod(index: index)))
            strip(&pod)
            kept.append(pod)
        }
        MallocTrim.trim()
        let bytes = (ResidentMemory.current() - before) / pods
        withExtendedLifetime(kept) {}
        return bytes
    }
}

/// glibc's `malloc_trim(0)`, looked up at run time (it is not in Swift's Glibc module): returns the free
/// memory at the top of the heap and whole free pages inside it to the system, so that resident memory
/// measures what is live rather than what the allocator kept. A no-op where the symbol is missing.
enum MallocTrim {
    private typealias Function = @convention(c) (Int) -> Int32

    static func trim() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Function.self)(0)
    }
}
