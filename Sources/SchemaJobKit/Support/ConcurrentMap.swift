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
