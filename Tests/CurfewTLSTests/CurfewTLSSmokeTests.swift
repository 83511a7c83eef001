import Testing
@testable import CurfewTLS

@Test func moduleLinks() {}
