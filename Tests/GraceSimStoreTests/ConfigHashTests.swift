import GraceSimTestSupport
import Testing
import Yams
@testable import GraceSimStore
@testable import GraceSimSweeps

/// The canonical JSON and FNV-1a 64 hash that identify a grid point across processes and machines.
@Suite struct ConfigHashTests {
    @Test func fnv1a64MatchesTheReferenceValues() {
        #expect(ConfigHash.hash("") == "cbf29ce484222325")
        #expect(ConfigHash.hash("a") == "af63dc4c8601ec8c")
        #expect(ConfigHash.hash("foobar") == "85944171f73967e8")
    }

    @Test func canonicalJSONSortsKeysAndTypesScalars() throws {
        let node = try #require(try Yams.compose(yaml: """
            b: [1, 2.5, true, null, text, "7"]
            a: {z: 1.0, y: -3}
            """))
        #expect(ConfigHash.canonicalJSON(node) == #"{"a":{"y":-3,"z":1.0},"b":[1,2.5,true,null,"text","7"]}"#)
    }

    @Test func keyOrderAndLayoutDoNotChangeTheHash() throws {
        let one = try #require(try Yams.compose(yaml: "x: 1\ny: {a: b, c: d}\n"))
        let two = try #require(try Yams.compose(yaml: "# comment\ny:\n  c: d\n  a: b\nx: 1\n"))
        #expect(ConfigHash.hash(ConfigHash.canonicalJSON(one)) == ConfigHash.hash(ConfigHash.canonicalJSON(two)))
    }
}
