import Testing
@testable import CurfewPolicy

