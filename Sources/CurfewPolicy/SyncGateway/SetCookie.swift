/// One `Set-Cookie` response header field, reduced to what curfew needs: Sync Gateway slides a session's expiry by
/// sending `Set-Cookie: SyncGatewaySession=<id>; Path=/db/; Expires=<HTTP-date>` on the responses it relays, and
/// curfew reads it to move that session's deadline.
///
/// Parsing follows RFC 6265 §5.2 (the user-agent algorithm, lenient where it is lenient):
/// - the name-value pair runs up to the first `;`; without `=`, or with an empty name, the field is ignored (nil);
/// - attribute names are case-insensitive, unknown attributes are skipped, a later attribute of the same name wins;
/// - `Max-Age` wins over `Expires` whichever comes first (§5.3 step 3); `Max-Age <= 0` means already expired;
///   an `Expires` or `Max-Age` that does not parse is ignored, as if absent.
/// One deviation: a value in double quotes is unquoted, because that is what Go's `net/http` (so Sync Gateway)
/// does when the cookie comes back, and curfew must key sessions the way SG sees them.
public struct SetCookie: Sendable, Equatable {
    /// The cookie name, e.g. `SyncGatewaySession` (case-sensitive: compare exactly with the configured name).
    public var name: String
    /// The cookie value (for SG, the session id). Never log it: it is a bearer credential.
    /// It may be empty (a deletion, `SyncGatewaySession=; Expires=Thu, 01 Jan 1970 …`): callers key nothing on it.
    public var value: String
    /// When the cookie expires, in Unix milliseconds; nil for a session cookie (no `Expires` / `Max-Age`).
    /// A deletion (`Max-Age=0`, or `Expires` in 1970) gives a time at or before `now`.
    public var expiresAt: Int64?

    /// Creates a parsed cookie.
    public init(name: String, value: String, expiresAt: Int64?) {
        self.name = name
        self.value = value
        self.expiresAt = expiresAt
    }

    /// Parses the value of one `Set-Cookie` header field.
    /// - Parameters:
    ///   - fieldValue: the header field value (without `Set-Cookie:`).
    ///   - now: Unix milliseconds, the base for `Max-Age` (and for RFC 850 two-digit years).
    /// - Returns: the cookie, or nil when the field has no usable name-value pair.
    public static func parse(_ fieldValue: String, now: Int64) -> SetCookie? {
        var fieldValue = fieldValue
        return fieldValue.withUTF8 { parse(bytes: $0, now: now) }
    }

    /// Parses the raw bytes of one `Set-Cookie` header field value (for callers holding the response head bytes).
    public static func parse(bytes: UnsafeBufferPointer<UInt8>, now: Int64) -> SetCookie? {
        let all = bytes[...]
        let pairEnd = all.firstIndex(of: UInt8(ascii: ";")) ?? all.endIndex
        let pair = all[all.startIndex..<pairEnd]
        guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let nameBytes = ByteScan.trimmed(pair[pair.startIndex..<equals])
        guard !nameBytes.isEmpty else { return nil }
        var valueBytes = ByteScan.trimmed(pair[(equals + 1)...])
        if valueBytes.count >= 2, valueBytes.first == UInt8(ascii: "\""), valueBytes.last == UInt8(ascii: "\"") {
            valueBytes = valueBytes.dropFirst().dropLast()
        }

        var expires: Int64?
        var maxAgeExpiry: Int64?
        var cursor = pairEnd
        while cursor < all.endIndex {
            let attributeStart = cursor + 1
            let attributeEnd = all[attributeStart...].firstIndex(of: UInt8(ascii: ";")) ?? all.endIndex
            cursor = attributeEnd
            let attribute = all[attributeStart..<attributeEnd]
            let equalsIndex = attribute.firstIndex(of: UInt8(ascii: "=")) ?? attribute.endIndex
            let attributeName = ByteScan.trimmed(attribute[attribute.startIndex..<equalsIndex])
            let attributeValue =
                equalsIndex < attribute.endIndex
                ? ByteScan.trimmed(attribute[(equalsIndex + 1)...]) : attribute[attribute.endIndex...]
            if ByteScan.equalsLowercase(attributeName, "max-age") {
                if let expiry = maxAgeExpiresAt(attributeValue, now: now) { maxAgeExpiry = expiry }
            } else if ByteScan.equalsLowercase(attributeName, "expires") {
                if let expiry = HTTPDate.parse(bytes: attributeValue, now: now) { expires = expiry }
            }
        }

        return SetCookie(
            name: String(decoding: nameBytes, as: UTF8.self),
            value: String(decoding: valueBytes, as: UTF8.self),
            expiresAt: maxAgeExpiry ?? expires)
    }

    /// RFC 6265 §5.2.2: an optional `-` then digits, else the attribute is ignored. Zero or negative means the
    /// earliest representable time; we use the Unix epoch (or `now` if that is earlier), which is never in the future.
    private static func maxAgeExpiresAt(_ s: UnsafeBufferPointer<UInt8>.SubSequence, now: Int64) -> Int64? {
        guard let first = s.first else { return nil }
        let negative = first == UInt8(ascii: "-")
        let digits = negative ? s.dropFirst() : s
        guard !digits.isEmpty, digits.allSatisfy(ByteScan.isDigit) else { return nil }
        if negative { return min(0, now) }
        // Saturate instead of overflowing: 18 digits of seconds is already far past any deadline that matters.
        let significant = digits.drop(while: { $0 == UInt8(ascii: "0") })
        if significant.isEmpty { return min(0, now) }
        let seconds = significant.count > 15 ? Int64(999_999_999_999_999) : ByteScan.number(significant) ?? 0
        let (sum, overflow) = now.addingReportingOverflow(seconds * 1000)
        return overflow ? Int64.max : sum
    }
}
