import Testing
import HTTPTypes
@testable import HTTP

@Suite("Server: request and response bodies")
struct ServerBodyTests {
    @Test("a chunked request body reaches the handler chunk by chunk, before it has all arrived")
    func chunkedRequestStreams() async throws {
        let firstChunkSeen = Gate()
        try await withServer(handler: { request in
            var chunks: [String] = []
            for try await chunk in request.body {
                chunks.append(String(decoding: chunk, as: UTF8.self))
                firstChunkSeen.open()
            }
            return reply(chunks.joined(separator: "|"))
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            #expect(await waitFor(firstChunkSeen))
            try await client.send("6\r\n world\r\n0\r\n\r\n")
            #expect(try await client.readResponse().text == "hello| world")
        }
    }

    @Test("Expect: 100-continue gets 100 Continue when the handler reads the body")
    func expectContinue() async throws {
        try await withServer(handler: { request in
            let body = try await request.body.collect(upTo: 100)
            return reply("got \(body.count)")
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await client.readSome()
            #expect(String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
            try await client.send("abcd")
            #expect(try await client.readResponse().text == "got 4")
        }
    }

    @Test("a handler answering without reading an expected body gets no 100 and the connection closes")
    func expectContinueRefused() async throws {
        try await withServer(handler: { _ in reply("no thanks", status: .forbidden) }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 400000\r\nExpect: 100-continue\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 403 && response.interim.isEmpty)
            #expect(response.header("Connection") == "close")
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("an unread small body is drained and the connection kept")
    func drainsUnreadBody() async throws {
        try await withServer(handler: { request in reply("ok \(request.head.target)") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "ok /1")
            #expect(try await client.readResponse().text == "ok /2")
        }
    }

    @Test("an unread body over the drain limit closes the connection after the response")
    func hugeUnreadBodyCloses() async throws {
        try await withServer({ $0.maxDrainBytes = 1000 }, handler: { _ in reply("early") }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.text == "early" && response.header("Connection") == "close")
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("streamed response chunks arrive while the handler is still writing (SSE)")
    func streamIsLive() async throws {
        let firstReceived = Gate()
        try await withServer(handler: { _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return HTTPServerResponse(headers: headers, body: .stream { writer in
                try await writer.write("data: one\n\n")
                await firstReceived.wait()
                try await writer.write("data: two\n\n")
            })
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            var received: [UInt8] = []
            while !String(decoding: received, as: UTF8.self).contains("data: one") {
                let bytes = try await client.readSome()
                if bytes.isEmpty { break }
                received += bytes
            }
            let text = String(decoding: received, as: UTF8.self)
            #expect(text.contains("Transfer-Encoding: chunked"))
            #expect(text.contains("data: one") && !text.contains("data: two"))
            firstReceived.open()
            var rest: [UInt8] = []
            while !String(decoding: rest, as: UTF8.self).hasSuffix("0\r\n\r\n") {
                let bytes = try await client.readSome()
                if bytes.isEmpty { break }
                rest += bytes
            }
            #expect(String(decoding: rest, as: UTF8.self).contains("data: two"))
        }
    }

    @Test("a stream with a declared Content-Length is sent unchunked")
    func streamWithLength() async throws {
        try await withServer(handler: { _ in
            var headers = HTTPFields()
            headers[.contentLength] = "6"
            return HTTPServerResponse(headers: headers, body: .stream { writer in
                try await writer.write("abc")
                try await writer.write("def")
            })
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await client.readResponse()
            #expect(first.text == "abcdef" && first.header("Transfer-Encoding") == nil)
            #expect(try await client.readResponse().text == "abcdef")
        }
    }

    @Test("a stream to an HTTP/1.0 client is delimited by closing")
    func streamToHTTP10() async throws {
        try await withServer(handler: { _ in
            HTTPServerResponse(body: .stream { writer in try await writer.write("old school") })
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.0\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.text == "old school")
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(await client.isClosedByPeer())
        }
    }

    @Test("upgrade hands the raw connection over, including bytes sent right after the head")
    func upgradeEcho() async throws {
        try await withServer(handler: { request in
            guard request.head.isUpgrade else { return reply("plain") }
            var headers = HTTPFields()
            headers[.connection] = "Upgrade"
            headers[.upgrade] = "echo"
            return HTTPServerResponse(status: .switchingProtocols, headers: headers, body: .upgrade { stream in
                while let bytes = try await stream.read() { try await stream.write(bytes) }
                await stream.close()
            })
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly")
            let response = try await client.readResponse()
            #expect(response.status == 101)
            var echoed = client.takeBuffered()
            while echoed.count < 5 { echoed += try await client.readSome() }
            #expect(String(decoding: echoed, as: UTF8.self) == "early")
            try await client.send("ping")
            #expect(String(decoding: try await client.readSome(), as: UTF8.self) == "ping")
        }
    }
}

@Suite("Server: response compression")
struct ServerCompressionTests {
    static let page = String(repeating: "<p>PAWS notebooks</p>\n", count: 200)

    @Test("a large HTML body is gzipped when the client accepts gzip and compressResponses is on")
    func gzipsText() async throws {
        try await withServer({ $0.compressResponses = true }, handler: { _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return HTTPServerResponse(headers: headers, body: .bytes(Array(Self.page.utf8)))
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(response.header("Vary") == "Accept-Encoding")
            #expect(response.body.count < Self.page.utf8.count / 4)
            #expect(try Gzip.decompress(response.body) == Array(Self.page.utf8))
        }
    }

    @Test("no gzip without Accept-Encoding, for small bodies, or for binary types")
    func leavesOthersAlone() async throws {
        try await withServer({ $0.compressResponses = true }, handler: { request in
            var headers = HTTPFields()
            headers[.contentType] = request.head.target == "/png" ? "image/png" : "text/plain"
            let body = request.head.target == "/small" ? "tiny" : Self.page
            return HTTPServerResponse(headers: headers, body: .bytes(Array(body.utf8)))
        }) { _, port in
            let client = try RawClient(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().header("Content-Encoding") == nil)
            try await client.send("GET /small HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            #expect(try await client.readResponse().header("Content-Encoding") == nil)
            try await client.send("GET /png HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            #expect(try await client.readResponse().header("Content-Encoding") == nil)
        }
    }
}
