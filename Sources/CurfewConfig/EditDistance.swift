/// Levenshtein distance over Unicode scalars, for "did you mean" suggestions on short key names.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The candidate nearest to `name`, if it is near enough to be a plausible typo.
func nearest(to name: String, among candidates: [String]) -> String? {
    let threshold = max(2, name.unicodeScalars.count / 3)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let d = editDistance(name.lowercased(), candidate)
        if d <= threshold, d < (best?.distance ?? Int.max) { best = (candidate, d) }
    }
    return best?.name
}
