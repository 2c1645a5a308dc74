import Synchronization

/// Hands out pod IPs from a node's pod CIDR (`10.244.<node index>.0/24`, continuing into `10.245.…` and on,
/// wrapping to `10.0.…` after `10.255.…` so that up to 65,536 nodes get valid, distinct CIDRs), never two
/// live pods the same one.
final class PodIPAllocator: Sendable {
    /// The node's pod CIDR.
    let cidr: String
    private let prefix: String
    private let state = Mutex((used: Set<Int>(), next: 2))

    init(nodeIndex: Int) {
        prefix = "10.\((244 + nodeIndex / 256) % 256).\(nodeIndex % 256)."
        cidr = prefix + "0/24"
    }

    /// A free address; after 253 live pods addresses are reused.
    func allocate() -> String {
        state.withLock { s in
            for offset in 0..<253 {
                let host = 2 + (s.next - 2 + offset) % 253
                if !s.used.contains(host) {
                    s.used.insert(host)
                    s.next = host + 1
                    return prefix + String(host)
                }
            }
            return prefix + String(s.next)
        }
    }

    /// Returns an address to the pool.
    func release(_ ip: String) {
        guard ip.hasPrefix(prefix), let host = Int(ip.dropFirst(prefix.count)) else { return }
        _ = state.withLock { $0.used.remove(host) }
    }
}
