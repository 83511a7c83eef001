import CurfewPolicy
import CurfewTimer

/// A connection under enforcement: its identity, its deadline state machine and its timers.
struct ConnectionGuard {
    var identity: Identity
    var enforcement: ConnectionEnforcement
    /// The database of the request path (SG users belong to a database).
    var db: String?
    var timer: TimerID?
    var recheckTimer: TimerID?
}
