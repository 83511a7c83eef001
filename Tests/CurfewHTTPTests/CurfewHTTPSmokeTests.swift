import Testing
@testable import CurfewHTTP

@Test func moduleLinks() {}
