/// `--header 'Name: value'` lines, checked once so a malformed one is a usage error, not a confusing 400.
enum HeaderLines {
    static func parse(_ raw: [String]) throws(UsageError) -> [String] {
        var out: [String] = []
        for line in raw {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw UsageError("--header must look like 'Name: value', got '\(line)'")
            }
            let name = line[..<colon]
            for c in name.utf8 where !(c > 0x20 && c < 0x7F) || c == 0x3A {
                throw UsageError("--header name '\(name)' is not a token")
            }
            for c in line.utf8 where c == 0x0D || c == 0x0A || c == 0 {
                throw UsageError("--header must not contain CR, LF or NUL")
            }
            if name.lowercased() == "host" {
                throw UsageError("use --host for the Host header")
            }
            out.append(line)
        }
        return out
    }
}
