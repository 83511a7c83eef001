import CurfewPolicy
import CurfewTimer

/// The part of a `ClientConnection` that enforcement touches: its id, what the `cut` log line prints, and the
/// `ConnectionGuard` fields (state machine + armed timer). A class, like `ClientConnection`, held by the worker's
/// `[UInt64: …]` table, so the per-cut lookup and the per-connection memory resemble the runtime's (minus sockets,
/// TLS and parser state, which the real object also carries).
final class SimulatedConnection {
    let id: UInt64
    let remoteLabel: String
    let path: String
    /// Monotonic nanoseconds at open, for the log line's `age_s`.
    let openedAt: Int64
    var enforcement: ConnectionEnforcement
    var timer: TimerID?
    /// Set by the first cut; a second cut of the same connection is a failed check.
    var isCut = false

    init(id: UInt64, remoteLabel: String, path: String, openedAt: Int64, enforcement: ConnectionEnforcement) {
        self.id = id
        self.remoteLabel = remoteLabel
        self.path = path
        self.openedAt = openedAt
        self.enforcement = enforcement
    }
}
