import Testing
@testable import RuleParser

struct CIDRTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.1.2.3", true), ("10.0.0.0/8", "11.0.0.0", false), ("10.0.0.0/8", "::ffff:10.9.9.9", true),
        ("192.168.1.0/24", "192.168.1.255", true), ("192.168.1.0/24", "192.168.2.0", false),
        ("0.0.0.0/0", "203.0.113.7", true), ("0.0.0.0/0", "2001:db8::1", false),
        ("127.0.0.1", "127.0.0.1", true), ("127.0.0.1", "127.0.0.2", false),
        ("fd00::/8", "fd12:3456::1", true), ("fd00::/8", "fe80::1", false), ("fd00::/8", "10.0.0.1", false),
        ("::1", "::1", true), ("::1/128", "::2", false), ("::/0", "2001:db8::1", true),
        ("2001:db8::/32", "2001:0db8:ffff::1", true), ("2001:db8::/32", "2001:db9::1", false),
        ("2001:db8:0:0:8000::/65", "2001:db8::8000:0:0:1", true), ("2001:db8::/65", "2001:db8::8000:0:0:1", false),
        ("::ffff:10.0.0.0/104", "10.200.0.1", true), ("::ffff:10.0.0.0/104", "11.0.0.1", false),
    ])
    func blocksContainTheirAddresses(block: String, address: String, expected: Bool) throws {
        let cidr = try CIDR(parsing: block)
        let ip = try #require(IPAddress(address))
        #expect(cidr.contains(ip) == expected)
    }

    @Test(arguments: [
        ("1.2.3.4", "1.2.3.4"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
        ("::", "::"), ("::1", "::1"), ("1::", "1::"), ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"), ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"), ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), ("::192.0.2.1", "::c000:201"), ("64:ff9b::10.0.0.1", "64:ff9b::a00:1"),
        ("fe80::", "fe80::"), ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
    ])
    func addressesParseAndPrintCanonically(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(text)).description == canonical)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "::1::", ":::",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::", "1::2:", "12345::", "g::", "fe80::1%eth0", "[::1]",
        "1.2.3.4::", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "::1:2:3:4:5:6:7:8", "localhost", "１.2.3.4",
    ])
    func malformedAddressesAreRejected(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func ipv4AndItsMappedFormAreDistinctValuesButTheSameForBlocks() throws {
        let v4 = try #require(IPAddress("10.0.0.1")), mapped = try #require(IPAddress("::ffff:10.0.0.1"))
        #expect(v4 != mapped)
        #expect(v4.isIPv4 && !mapped.isIPv4)
        #expect(try CIDR(parsing: "::ffff:10.0.0.1").contains(v4))
        #expect(try CIDR(parsing: "10.0.0.1").contains(mapped))
        #expect(IPAddress(ipv4: 0x0A00_0001) == v4)
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"), ("10.1.2.3", "10.1.2.3/32"), ("fd00::/8", "fd00::/8"), ("::1", "::1/128"),
        ("0.0.0.0/0", "0.0.0.0/0"), ("2001:DB8::/32", "2001:db8::/32"),
    ])
    func blocksDescribeThemselvesAsNetworkAndPrefix(text: String, description: String) throws {
        let cidr = try CIDR(parsing: text)
        #expect(cidr.description == description)
        #expect(try CIDR(parsing: cidr.description) == cidr)
    }

    @Test(arguments: [
        ("10.0.0.0/33", ValueError("invalid prefix length '33'; IPv4 allows 0 to 32", offset: 9)),
        ("fd00::/129", ValueError("invalid prefix length '129'; IPv6 allows 0 to 128", offset: 7)),
        ("10.0.0.0/08", ValueError("invalid prefix length '08'; IPv4 allows 0 to 32", offset: 9)),
        ("10.0.0.0/x", ValueError("invalid prefix length 'x'; IPv4 allows 0 to 32", offset: 9)),
        ("10.0.0.0/8/8", ValueError("invalid prefix length '8/8'; IPv4 allows 0 to 32", offset: 9)),
        ("10.0.0.0/", ValueError("missing prefix length after '/'", offset: 9)),
        ("10.0.0.256/8", ValueError("invalid IP address '10.0.0.256'", offset: 0)),
        ("/8", ValueError("invalid IP address ''", offset: 0)),
        ("10.0.0.1/8", ValueError("'10.0.0.1/8' has host bits set; write 10.0.0.0/8", offset: 0)),
        ("192.168.1.0/16", ValueError("'192.168.1.0/16' has host bits set; write 192.168.0.0/16", offset: 0)),
        ("fd00::1/8", ValueError("'fd00::1/8' has host bits set; write fd00::/8", offset: 0)),
    ])
    func malformedBlocksAreRejected(text: String, error: ValueError) {
        #expect(throws: error) { try CIDR(parsing: text) }
    }
}
