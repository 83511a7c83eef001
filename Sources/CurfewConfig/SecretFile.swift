/// Files that hold one secret: `admin.token_file`, `upstream.admin_password_file`,
/// `credentials.jwt.issuers[].hmac_secret_file`.
///
/// The config loader only records their paths; the runtime reads them with `read(path:)`, so that loading a
/// config never touches a secret and a rotated secret is picked up on reload.
public enum SecretFile {
    /// Secrets are short; anything bigger is the wrong file.
    public static let maximumSize = 65_536

    /// The file's bytes with trailing `\n` and `\r\n` removed, so `echo secret > file` works. Fails if the file
    /// cannot be read, is larger than `maximumSize`, or holds nothing but newlines. Messages name the file,
    /// never its content.
    public static func read(path: String) throws(ConfigError) -> [UInt8] {
        var bytes: [UInt8]
        switch readWholeFile(path, limit: maximumSize) {
        case .failure(let e):
            throw ConfigError(file: path, kind: .cannotRead, message: "cannot read: \(e.reason)")
        case .success(let b):
            bytes = b
        }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            bytes.removeLast()
        }
        if bytes.isEmpty {
            throw ConfigError(file: path, kind: .invalidValue, message: "the secret file is empty")
        }
        return bytes
    }
}
