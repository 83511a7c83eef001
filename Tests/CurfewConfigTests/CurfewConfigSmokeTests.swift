import Testing
@testable import CurfewConfig

@Test func moduleLinks() {}
