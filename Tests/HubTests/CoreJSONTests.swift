import Testing
import Store
@testable import Hub

@Suite("JSON values, writer and strict bodies")
struct CoreJSONTests {
    @Test("the parser keeps booleans, integers and doubles apart and decodes escapes and surrogates")
    func parsing() throws {
        let v = try JSONValue.parse(#"{"a": true, "b": 1, "c": 1.5, "d": "x\n\u00e9\ud83d\ude00", "e": [null], "f": {}}"#)
        #expect(v["a"] == .bool(true))
        #expect(v["b"] == .int(1))
        #expect(v["c"] == .double(1.5))
        #expect(v["d"] == .string("x\né😀"))
        #expect(v["e"] == .array([.null]))
        #expect(v["f"] == .object([:]))
    }

    @Test("invalid JSON is refused with a reason", arguments: [
        "{", "[1,]", "{\"a\" 1}", "01", "\"\\ud800\"", "tru", "[1] x", "\"a\u{01}\"", "NaN", "1e999",
    ])
    func invalid(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("nesting is capped so a hostile body cannot exhaust the stack")
    func depth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test("the writer escapes strings and round-trips values")
    func writing() throws {
        var w = JSONWriter()
        w.beginObject()
        w.key("s"); w.string("q\"\\\u{1}\n")
        w.key("n"); w.null()
        w.key("a"); w.strings(["x", "y"])
        w.key("i"); w.int(-3)
        w.endObject()
        #expect(w.text == #"{"s":"q\"\\\u0001\n","n":null,"a":["x","y"],"i":-3}"#)
        let parsed = try JSONValue.parse(w.bytes)
        #expect(parsed["s"] == .string("q\"\\\u{1}\n"))
    }

    @Test("timestamps are UTC ISO 8601 with Z, microseconds only when present")
    func timestamps() {
        let t = Timestamp(microsecondsSinceEpoch: 1_795_548_405_072_605)
        #expect(ISOTimestamp.format(t) == "2026-11-24T19:26:45.072605Z")
        #expect(ISOTimestamp.format(Timestamp(microsecondsSinceEpoch: 0)) == "1970-01-01T00:00:00Z")
        var w = JSONWriter()
        w.timestamp(nil)
        #expect(w.text == "null")
    }

    @Test("strict object fields name the unknown field and the wrong type")
    func strictFields() throws {
        let unknown = #expect(throws: HubError.self) {
            try JSONObjectFields(.object(["proxy": .bool(true), "sevrers": .bool(true)]), allowed: ["proxy", "servers"])
        }
        #expect(unknown?.status == .badRequest)
        #expect(unknown?.message?.contains("'sevrers'") == true)
        let fields = try JSONObjectFields(.object(["proxy": .int(1), "names": .array([.string("a"), .int(2)])]),
                                          allowed: ["proxy", "names"])
        let wrongType = #expect(throws: HubError.self) { try fields.bool("proxy") }
        #expect(wrongType?.message == "Field 'proxy' must be a boolean, not number")
        let wrongItem = #expect(throws: HubError.self) { try fields.strings("names") }
        #expect(wrongItem?.message == "Field 'names[1]' must be a string, not number")
        let notObject = #expect(throws: HubError.self) { try JSONObjectFields(.array([]), allowed: []) }
        #expect(notObject?.message == "Request body must be a JSON object, not array")
    }
}
