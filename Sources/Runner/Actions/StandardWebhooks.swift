/// Standard Webhooks signing (https://www.standardwebhooks.com): the `webhook-signature` header.
import Crypto
import Foundation

/// Computes `v1,<base64 HMAC-SHA256>` signatures over `<id>.<timestamp>.<body>`.
enum StandardWebhooks {
    /// The `webhook-signature` value for one request.
    static func signature(id: String, timestamp: Int64, body: [UInt8], secret: String) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let key = SymmetricKey(data: keyBytes(secret))
        let code = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(code).base64EncodedString()
    }

    /// A `whsec_` secret is base64 after its prefix (as the spec's libraries generate them);
    /// anything else is used as its UTF-8 bytes.
    static func keyBytes(_ secret: String) -> [UInt8] {
        if secret.hasPrefix("whsec_"), let data = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) {
            return [UInt8](data)
        }
        return Array(secret.utf8)
    }
}
