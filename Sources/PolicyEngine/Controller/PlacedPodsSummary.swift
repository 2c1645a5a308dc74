public import ControllerRuntime
public import KubeModel
public import Placement

/// The bound pods as the inter-pod rules read them (``PlacedPods``), kept in step with the pod cache event by
/// event, so that planning checks affinity, anti-affinity, topology spread and host ports without a pass
/// over 100,000s of cached pods.
public enum PlacedPodsSummary {
    /// A new summary of an empty cache; attach it to the pod cache with `InformerCache.addSummary(_:)`.
    public static func make() -> CacheSummary<Pod, PlacedPods> {
        CacheSummary(PlacedPods()) { placed, removed, added in
            if let removed { placed.remove(removed) }
            if let added { placed.add(added) }
        }
    }
}
