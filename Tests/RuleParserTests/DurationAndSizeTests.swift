import Testing
@testable import RuleParser

struct DurationAndSizeTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("2s", .seconds(2)), ("10m", .seconds(600)), ("1h", .seconds(3600)),
        ("1d", .seconds(86400)), ("1h30m", .seconds(5400)), ("1.5s", .milliseconds(1500)), ("0s", .zero),
        ("1m30s500ms", .milliseconds(90_500)), (" 2s ", .seconds(2)), ("1h 30m", .seconds(5400)), ("5 s", .seconds(5)),
        ("0.001ms", .nanoseconds(1000)), ("1.000000001s", .nanoseconds(1_000_000_001)), ("0.5d", .seconds(43200)),
    ])
    func durationsParseWithUnits(text: String, expected: Duration) throws {
        #expect(try parseDuration(text) == expected)
    }

    @Test(arguments: [
        ("5", ValueError("missing unit in duration '5'; write 5s", offset: 1)),
        ("1h30", ValueError("missing unit in duration '1h30'; write 1h30s", offset: 4)),
        ("-5s", ValueError("negative duration '-5s'", offset: 0)),
        ("1h-5s", ValueError("negative duration '1h-5s'", offset: 2)),
        ("5x", ValueError("unknown unit 'x' in duration '5x'; use ms, s, m, h or d", offset: 1)),
        ("5S", ValueError("unknown unit 'S' in duration '5S'; use ms, s, m, h or d", offset: 1)),
        ("", ValueError("empty duration; write a number with a unit, such as 30s", offset: 0)),
        ("s", ValueError("expected a number in duration 's'", offset: 0)),
        ("1.s", ValueError("expected digits after '.' in duration '1.s'", offset: 2)),
        ("5s!", ValueError("expected a number in duration '5s!'", offset: 2)),
        ("300000d", ValueError("duration '300000d' is too large", offset: 0)),
        ("99999999999999999999999s", ValueError("duration '99999999999999999999999s' is too large", offset: 0)),
    ])
    func malformedDurationsAreRejected(text: String, error: ValueError) {
        #expect(throws: error) { try parseDuration(text) }
    }

    @Test(arguments: [
        ("512KiB", 524_288), ("1GB", 1_000_000_000), ("10 MB", 10_000_000), ("100", 100), ("100B", 100),
        ("1kB", 1000), ("1kib", 1024), ("2MiB", 2_097_152), ("1GiB", 1_073_741_824), ("1TB", 1_000_000_000_000),
        ("1TiB", 1_099_511_627_776), ("1.5KiB", 1536), ("0.5GB", 500_000_000), ("0", 0), (" 7 b ", 7),
        ("8388607TiB", 9_223_370_937_343_148_032),
    ])
    func sizesParseWithDecimalAndBinaryUnits(text: String, bytes: Int64) throws {
        #expect(try ByteSize(parsing: text).bytes == bytes)
    }

    @Test(arguments: [
        ("10K", ValueError("unknown unit 'K' in size '10K'; use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB", offset: 2)),
        ("-1MB", ValueError("negative size '-1MB'", offset: 0)),
        ("1.5B", ValueError("size '1.5B' is not a whole number of bytes", offset: 0)),
        ("8388608TiB", ValueError("size '8388608TiB' is too large", offset: 0)),
        ("99999999999999999999999", ValueError("size '99999999999999999999999' is too large", offset: 0)),
        ("", ValueError("empty size; write a number with a unit, such as 10MB", offset: 0)),
        ("MB", ValueError("expected a number in size 'MB'", offset: 0)),
        ("10 MB extra", ValueError("unexpected 'e' in size '10 MB extra'", offset: 6)),
    ])
    func malformedSizesAreRejected(text: String, error: ValueError) {
        #expect(throws: error) { try ByteSize(parsing: text) }
    }

    @Test(arguments: [
        (524_288, "512KiB"), (1_000_000_000, "1GB"), (100, "100B"), (0, "0B"), (1_536, "1536B"),
        (3_000, "3KB"), (1_099_511_627_776, "1TiB"), (2_048_000, "2000KiB"),
    ])
    func sizesDescribeThemselvesInAUnitThatParsesBack(bytes: Int64, text: String) throws {
        let size = ByteSize(bytes: bytes)
        #expect(size.description == text)
        #expect(try ByteSize(parsing: size.description) == size)
    }

    @Test func sizesOrderByByteCount() throws {
        #expect(try ByteSize(parsing: "1MB") < ByteSize(parsing: "1MiB"))
        #expect(try ByteSize(parsing: "1000KB") == ByteSize(parsing: "1MB"))
        #expect(try [ByteSize(parsing: "1GB"), ByteSize(parsing: "1KB")].max() == ByteSize(parsing: "1GB"))
    }
}
