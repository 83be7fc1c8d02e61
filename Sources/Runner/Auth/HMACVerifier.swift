/// Verifies body signatures: GitHub's `sha256=<hex>` / `sha1=<hex>`, Nexus's bare hex, or a configured prefix.
import Crypto
import Foundation

struct HMACVerifier {
    let settings: HMACAuth

    init(_ settings: HMACAuth) {
        self.settings = settings
    }

    /// Why the signature headers do not authenticate `body`, or nil when the first one does.
    func failure(headers: [String], body: [UInt8]) -> String? {
        guard let value = headers.first else { return "missing signature header \(settings.header)" }
        guard let signature = Self.hexBytes(digestText(value)) else { return "malformed signature in header \(settings.header)" }
        return isValid(signature, body: body) ? nil : "signature in header \(settings.header) does not match the body"
    }

    /// The hex part of a header value: after the configured prefix, or after an optional `<algorithm>=`.
    func digestText(_ value: String) -> ArraySlice<UInt8> {
        let text = Array(value.trimmingCharacters(in: .whitespaces).utf8)
        let prefix = Array((settings.prefix ?? (settings.algorithm.rawValue + "=")).utf8)
        if text.count >= prefix.count, asciiCaseInsensitiveEquals(text[..<prefix.count], prefix) {
            return text[prefix.count...]
        }
        // With an explicit prefix, a value without it is wrong; without one, bare hex is Nexus's form.
        return settings.prefix == nil ? text[...] : []
    }

    /// Compares in constant time (swift-crypto's check), lengths included.
    func isValid(_ signature: [UInt8], body: [UInt8]) -> Bool {
        let key = SymmetricKey(data: Array(settings.secret.value.utf8))
        return switch settings.algorithm {
        case .sha1: HMAC<Insecure.SHA1>.isValidAuthenticationCode(signature, authenticating: body, using: key)
        case .sha256: HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: key)
        case .sha512: HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: body, using: key)
        }
    }

    /// Bytes of an even-length hex string in either case; nil when empty or not hex.
    static func hexBytes(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let digits = Array(text)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
