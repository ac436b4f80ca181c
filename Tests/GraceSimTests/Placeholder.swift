import Testing
@testable import GraceSim
@Test func placeholder() {}
