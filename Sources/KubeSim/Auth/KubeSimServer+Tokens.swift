extension KubeSimServer {
    /// Moves the clock that ServiceAccount token expiry is judged by `seconds` forward (tests of expired tokens;
    /// the shortest token lives 600 s). Tokens expire one minute after their `exp`, as kube-apiserver's leeway
    /// allows. Nothing else in KubeSim reads this clock.
    public func advanceTokenClock(bySeconds seconds: Int64) {
        core.tokens.advance(seconds: seconds)
    }
}
