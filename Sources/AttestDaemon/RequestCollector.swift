import Synchronization

/// Gathers the per-item results of one request computed on several worker threads, and hands the full list
/// to the completion exactly once, on the thread that delivers the last item.
final class RequestCollector<Value: Sendable>: Sendable {
    private struct State {
        var values: [Value?]
        var remaining: Int
    }

    private let state: Mutex<State>
    private let completion: @Sendable ([Value]) -> Void

    /// Creates a collector.
    ///
    /// - Parameters:
    ///   - count: the number of items, at least 1.
    ///   - completion: receives the values in item order.
    init(count: Int, completion: @escaping @Sendable ([Value]) -> Void) {
        state = Mutex(State(values: Array(repeating: nil, count: count), remaining: count))
        self.completion = completion
    }

    /// Delivers one item's value; the first delivery for an index wins.
    ///
    /// - Parameters:
    ///   - index: the item's position.
    ///   - value: its value.
    func deliver(_ index: Int, _ value: Value) {
        let finished: [Value]? = state.withLock { state in
            guard state.values[index] == nil else { return nil }
            state.values[index] = value
            state.remaining -= 1
            return state.remaining == 0 ? state.values.map { $0! } : nil
        }
        if let finished { completion(finished) }
    }
}
