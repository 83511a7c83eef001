import Testing
@testable import CurfewTimer

@Test func moduleLinks() {}
