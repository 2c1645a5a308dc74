/// The operator's core: the ports (protocols) through which controllers and phase handlers reach the
/// Kubernetes API, the kubelet, the registry and the broker, and the values they exchange. No I/O here.
public enum OperatorCore {}
