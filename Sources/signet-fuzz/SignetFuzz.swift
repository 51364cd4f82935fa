import SignetFuzzTargets

// The libFuzzer harness for every `FuzzTarget`; `scripts/fuzz TARGET SECONDS` builds and runs it.
//
// Built by `scripts/fuzz` with `--sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSIGNET_LIBFUZZER`:
// libFuzzer supplies `main` and calls `LLVMFuzzerTestOneInput`; the target is named by the
// environment variable `SIGNET_FUZZ_TARGET` (json, metadata, keys, http-request, multipart,
// http-response). A broken property traps, so libFuzzer saves the input as a crash reproducer.
//
// In the normal build it is a small driver instead: `signet-fuzz TARGET FILE…` runs the target
// over the files (a reproducer, a corpus) and exits 1 on the first broken property.

#if SIGNET_LIBFUZZER
import Glibc

private let selectedTarget: FuzzTarget = {
    guard let name = getenv("SIGNET_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        fatalError("set SIGNET_FUZZ_TARGET to one of: \(names)")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func signetFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: count))
    do {
        try selectedTarget.fuzzOne(bytes)
    } catch {
        fatalError(error.description)
    }
    return 0
}
#else
import FoundationEssentials
import Glibc

@main
enum SignetFuzzDriver {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            printError("usage: signet-fuzz \(names) FILE...")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("signet-fuzz: cannot read \(path)")
                exit(2)
            }
            do {
                try target.fuzzOne(Array(data))
            } catch {
                printError("signet-fuzz: \(path): \(error)")
                exit(1)
            }
        }
        print("signet-fuzz: \(target.rawValue): \(arguments.count - 1) inputs, no property broken")
    }

    static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
#endif
