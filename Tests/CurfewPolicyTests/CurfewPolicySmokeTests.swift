import Testing
@testable import CurfewPolicy

@Test func moduleLinks() {}
