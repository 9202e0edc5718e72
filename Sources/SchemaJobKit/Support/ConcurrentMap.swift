import Dispatch

extension Array where Element: Sendable {
    /// `map`, with the elements spread over every core. For work that is independent per
    /// element and pure (lexing and checking one file); the results keep their order.
    func concurrentMap<Result: Sendable>(_ transform: (Element) -> Result) -> [Result] {
        guard count > 1 else { return map(transform) }
        let slots = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            slots.deinitialize()
            slots.deallocate()
        }
        withoutActuallyEscaping(transform) { transform in
            nonisolated(unsafe) let transform = transform
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: count) { index in
                // Each iteration writes its own slot only.
                slots[index] = transform(self[index])
            }
        }
        return slots.map { $0! }
    }
}

/// Runs `beside` on another thread while `body` runs on this one, and returns both
/// results once both are done: for a stage that runs on one core (the content hash, lint's
/// findings) and needs nothing from a stage beside it that keeps the other cores busy.
/// `beside` has finished even when `body` throws.
func concurrently<Beside: Sendable, Result>(_ beside: @escaping @Sendable () -> Beside, _ body: () throws -> Result) rethrows
    -> (beside: Beside, body: Result)
{
    let slot = ConcurrentSlot<Beside>()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { slot.value = beside() }
    do {
        let result = try body()
        group.wait()
        return (slot.value!, result)
    } catch {
        group.wait()
        throw error
    }
}

/// `concurrently`'s result from the other thread: written there before the group is
/// left, read here only after the wait.
private final class ConcurrentSlot<Value>: @unchecked Sendable {
    var value: Value?
}
