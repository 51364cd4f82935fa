import Glibc

/// Detached POSIX threads with a chosen stack size (what the server did with full Foundation's
/// `Thread`, which `FoundationEssentials` lacks).
package enum SystemThread {
    /// Starts `body` on a new detached thread named `name` (at most 15 bytes are kept) with a stack
    /// of `stackSize` bytes.
    /// - Returns: false when `pthread_create` fails (out of threads or memory); `body` does not run.
    @discardableResult
    package static func detach(name: String? = nil, stackSize: Int, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, max(stackSize, Int(PTHREAD_STACK_MIN)))
        let context = Unmanaged.passRetained(ThreadBody(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
            if let name = start.name { nameCurrentThread(name) }
            start.body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return false
        }
        return true
    }
}

/// Names the calling thread (as `pthread_setname_np`, which the Glibc module does not export, would):
/// the kernel keeps the first 15 bytes.
private func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
}

private final class ThreadBody: Sendable {
    let name: String?
    let body: @Sendable () -> Void

    init(name: String?, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
