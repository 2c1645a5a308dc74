/// Everything a controller may do with the Kubernetes API: read, write, write status, and watch
/// (controller-runtime's `client.WithWatch`, composed from the capability ports), and evict pods.
///
/// Code that only decides should take the narrowest port it needs (`KubernetesReading`); executors and the
/// controller runtime take this composition.
public protocol KubernetesAPI: KubernetesReading, KubernetesWriting, StatusWriting, KubernetesWatching, PodEvicting {}
