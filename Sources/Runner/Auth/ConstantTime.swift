/// Comparisons of secrets whose running time does not depend on where, or whether, the inputs differ.
import Crypto

enum ConstantTime {
    /// True when both strings are equal; compares SHA-256 digests, so even the lengths are not revealed.
    static func equals(_ given: String, _ expected: String) -> Bool {
        let left = SHA256.hash(data: Array(given.utf8))
        let right = SHA256.hash(data: Array(expected.utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
