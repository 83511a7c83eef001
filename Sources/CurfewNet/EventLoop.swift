#if canImport(Glibc)
import Glibc
#endif
internal import CCurfewLinux
import Synchronization

/// Readiness bits handed to an `EventHandler` (a copy of the epoll bits, so callers need no C import).
public struct Readiness: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readable = Readiness(rawValue: EPOLLIN.rawValue)
    public static let writable = Readiness(rawValue: EPOLLOUT.rawValue)
    public static let readHangup = Readiness(rawValue: EPOLLRDHUP.rawValue)
    public static let hangup = Readiness(rawValue: EPOLLHUP.rawValue)
    public static let error = Readiness(rawValue: EPOLLERR.rawValue)
}

/// Something the loop calls when one of its file descriptors is ready. One object may own several fds
/// (a proxied connection owns both its downstream and its upstream socket).
public protocol EventHandler: AnyObject {
    func handleEvent(fd: Int32, readiness: Readiness)
}

/// One epoll instance, driven by one thread. Not Sendable: it is created on its thread and never leaves it;
/// other threads talk to it only through a `Mailbox`.
///
/// Every fd is registered edge-triggered for IN|OUT|RDHUP once and never modified: handlers read until
/// EAGAIN (or park the work in `runSoon` for fairness) and, on a short write, wait for the next OUT edge.
public final class EventLoop {
    private let epfd: Int32
    private var handlers: ContiguousArray<EventHandler?> = []
    private var events: UnsafeMutableBufferPointer<epoll_event>
    private var soon: [(EventHandler, Int32)] = []
    private var running = false

    public init(maxEventsPerWait: Int = 256) throws(IOError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        if fd < 0 { throw IOError(call: "epoll_create1", errno: errno) }
        epfd = fd
        events = .allocate(capacity: maxEventsPerWait)
    }

    deinit {
        events.deallocate()
        closeFileDescriptor(epfd)
    }

    /// Registers `fd` (edge-triggered, read + write + read-hangup) for `handler`.
    public func register(fd: Int32, handler: EventHandler) throws(IOError) {
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        ev.data.fd = fd
        if epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0 { throw IOError(call: "epoll_ctl(ADD)", errno: errno) }
        let index = Int(fd)
        if index >= handlers.count { handlers.append(contentsOf: repeatElement(nil, count: index - handlers.count + 64)) }
        handlers[index] = handler
    }

    /// Registers a listening socket or eventfd: read readiness only, edge-triggered.
    public func registerReadOnly(fd: Int32, handler: EventHandler) throws(IOError) {
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue | EPOLLET.rawValue
        ev.data.fd = fd
        if epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0 { throw IOError(call: "epoll_ctl(ADD)", errno: errno) }
        let index = Int(fd)
        if index >= handlers.count { handlers.append(contentsOf: repeatElement(nil, count: index - handlers.count + 64)) }
        handlers[index] = handler
    }

    /// Forgets `fd`. Call before closing it (a closed fd number is reused at once by the next accept).
    public func unregister(fd: Int32) {
        var ev = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev)
        if Int(fd) < handlers.count { handlers[Int(fd)] = nil }
    }

    /// Asks the loop to call `handler` for `fd` again after this round of events, with no readiness bits:
    /// used when a handler stops early for fairness while data may remain.
    public func runSoon(_ handler: EventHandler, fd: Int32) { soon.append((handler, fd)) }

    /// Runs one wait-and-dispatch round. `timeoutMilliseconds` < 0 waits forever.
    public func runOnce(timeoutMilliseconds: Int32) {
        let timeout = soon.isEmpty ? timeoutMilliseconds : 0
        let n = epoll_wait(epfd, events.baseAddress, Int32(events.count), timeout)
        if n < 0 {
            if errno == EINTR { return }
            fatalError("epoll_wait failed: \(IOError(call: "epoll_wait", errno: errno))")
        }
        for i in 0..<Int(n) {
            let ev = events[i]
            let fd = ev.data.fd
            guard Int(fd) < handlers.count, let handler = handlers[Int(fd)] else { continue }
            handler.handleEvent(fd: fd, readiness: Readiness(rawValue: ev.events))
        }
        if !soon.isEmpty {
            let batch = soon
            soon.removeAll(keepingCapacity: true)
            for (handler, fd) in batch { handler.handleEvent(fd: fd, readiness: []) }
        }
    }
}

/// A thread-safe queue of jobs for one loop, with an eventfd that wakes the loop.
/// Jobs run on the loop's thread with the loop owner's context (`Context` is typically the worker).
public final class Mailbox<Context>: Sendable {
    public typealias Job = @Sendable (Context) -> Void
    private let jobs = Mutex<[Job]>([])
    public let fd: Int32

    public init() throws(IOError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        if fd < 0 { throw IOError(call: "eventfd", errno: errno) }
        self.fd = fd
    }

    deinit { closeFileDescriptor(fd) }

    /// Queues `job` and wakes the loop. Callable from any thread.
    public func post(_ job: @escaping Job) {
        jobs.withLock { $0.append(job) }
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    /// Called on the loop's thread when `fd` is readable: clears the eventfd and returns the queued jobs.
    public func drain() -> [Job] {
        var value: UInt64 = 0
        _ = Glibc.read(fd, &value, 8)
        return jobs.withLock { queued in
            let out = queued
            queued.removeAll()
            return out
        }
    }
}
