import CSystem
import Glibc

/// SIGTERM/SIGINT as an awaitable event: a signal handler writes into a self-pipe that a loop
/// watches, so shutdown code runs as ordinary async code (Kubernetes sends SIGTERM, then SIGKILL
/// after the pod's grace period).
public enum TerminationSignal {
    /// Installs the SIGTERM/SIGINT handlers now (idempotent). From then on those signals no longer
    /// kill the process; call it early so a signal during start-up is not lost.
    public static func install() throws {
        if csystem_termination_pipe() < 0 { throw IOError.errno(errno, "signal pipe") }
    }

    /// Suspends until SIGTERM or SIGINT arrives (installing the handlers if needed); returns its number.
    public static func wait(on loop: EventLoop) async throws -> Int32 {
        try install()
        return try await withTaskExecutorPreference(loop) {
            // A private duplicate: the shared pipe stays open for later waits.
            let fd = dup(csystem_termination_pipe())
            if fd < 0 { throw IOError.errno(errno, "dup") }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let handle = IOHandle(fd: fd, loop: loop)
            defer { handle.close() }
            while true {
                var byte: UInt8 = 0
                let count = read(fd, &byte, 1)
                if count == 1 { return Int32(byte) }
                if count < 0 && errno != EAGAIN && errno != EINTR { throw IOError.errno(errno, "signal pipe") }
                try await handle.waitReadable(deadline: nil)
            }
        }
    }
}

extension HTTPServer {
    /// Serves until SIGTERM or SIGINT, then shuts down gracefully within `gracePeriod`.
    public func runUntilTerminated(gracePeriod: Duration) async throws {
        let signal = try await TerminationSignal.wait(on: core.group.loops[0])
        core.logger.info("shutting down", metadata: ["signal": "\(signal)"])
        await shutdown(gracePeriod: gracePeriod)
    }
}
