import HTTPTypes
import Testing

@testable import HTTP

@Suite struct FieldLookupTests {
    static let xTrace = HTTPField.Name("X-Trace")!
    static let host = HTTPField.Name("Host")!

    @Test func valueAgreesWithTheSubscript() {
        let cases: [HTTPFields] = [
            [:],
            [.authorization: "token abc"],
            [.accept: "a", .authorization: "token abc", Self.host: "h"],
            HTTPFields([HTTPField(name: Self.xTrace, value: "1"), HTTPField(name: Self.host, value: "h"),
                        HTTPField(name: HTTPField.Name("x-TRACE")!, value: "2"), HTTPField(name: Self.xTrace, value: "")]),
            HTTPFields([HTTPField(name: .cookie, value: "a=1"), HTTPField(name: .cookie, value: "b=2")]),
        ]
        for fields in cases {
            for name in [HTTPField.Name.authorization, .cookie, Self.host, .accept, Self.xTrace, .contentType] {
                #expect(fields.value(name) == fields[name], "\(name) in \(fields)")
            }
        }
        #expect(cases[3].value(Self.xTrace) == "1, 2, ")
        #expect(cases[4].value(.cookie) == "a=1; b=2")
    }

    @Test func appendIfAbsentKeepsAnExistingField() {
        var fields: HTTPFields = [.contentType: "text/html"]
        fields.appendIfAbsent(HTTPField(name: .contentType, value: "application/json"))
        fields.appendIfAbsent(HTTPField(name: .cacheControl, value: "no-store"))
        #expect(fields[.contentType] == "text/html")
        #expect(fields[.cacheControl] == "no-store")
        #expect(fields.count == 2)
    }
}
