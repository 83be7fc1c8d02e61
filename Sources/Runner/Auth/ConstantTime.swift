/// Comparisons of secrets whose running time does not depend on where, or whether, the inputs differ.
enum ConstantTime {
    /// True when both strings are equal. The time taken depends only on the length of `given`, which its
    /// sender knows: every byte of it is compared (with the secret's bytes repeated), whatever the lengths.
    static func equals(_ given: String, _ expected: String) -> Bool {
        var given = given, expected = expected
        return given.withUTF8 { given in
            expected.withUTF8 { expected in
                guard !expected.isEmpty else { return given.isEmpty }
                var difference = given.count ^ expected.count
                var position = 0
                for byte in given {
                    difference |= Int(byte ^ expected[position])
                    position = position + 1 == expected.count ? 0 : position + 1
                }
                return difference == 0
            }
        }
    }
}
