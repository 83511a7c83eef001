import CurfewHTTP
import Testing

@Suite struct HTTPTargetTests {
    @Test func pathAndQuery() {
        let t = HTTPTarget("/db/_changes?since=0&feed=longpoll")
        #expect(t.path == "/db/_changes")
        #expect(t.query == "since=0&feed=longpoll")
        #expect(HTTPTarget("/db/").query == nil)
        #expect(HTTPTarget("/db/?").query == "")
        #expect(HTTPTarget("*").path == "*")
    }

    @Test func absoluteForm() {
        let t = HTTPTarget("https://sg.example:4984/db/_session?x=1")
        #expect(t.path == "/db/_session")
        #expect(t.query == "x=1")
        #expect(HTTPTarget("http://host").path == "")
        #expect(!t.isOriginForm)
        #expect(HTTPTarget("/db/").isOriginForm)
        #expect(!HTTPTarget("*").isOriginForm)
        // "://" after a slash is part of the path, not a scheme.
        #expect(HTTPTarget("/a/http://b").path == "/a/http://b")
    }

    @Test func segmentsKeepTrailingSlashAndDecode() {
        #expect(HTTPTarget("/db/_blipsync").pathSegments == ["db", "_blipsync"])
        #expect(HTTPTarget("/db/").pathSegments == ["db", ""])
        #expect(HTTPTarget("/db/").hasTrailingSlash)
        #expect(!HTTPTarget("/db").hasTrailingSlash)
        #expect(HTTPTarget("/").pathSegments == [""])
        #expect(HTTPTarget("/a%2Fb/c%20d").pathSegments == ["a/b", "c d"])
        #expect(HTTPTarget("/caf%C3%A9/x+y").pathSegments == ["caf\u{E9}", "x+y"])
        #expect(HTTPTarget("/bad%zz%4").pathSegments == ["bad%zz%4"])
        #expect(HTTPTarget("//x").pathSegments == ["", "x"])
    }

    @Test func queryValues() {
        let t = HTTPTarget("/db/_changes?since=12&filter=sync%5Fgateway%2Fbychannel&channels=a+b&flag&since=99")
        #expect(t.queryValue("since") == "12")
        #expect(t.queryValue("filter") == "sync_gateway/bychannel")
        #expect(t.queryValue("channels") == "a b")
        #expect(t.queryValue("flag") == "")
        #expect(t.queryValue("absent") == nil)
        #expect(HTTPTarget("/x?a%20b=1").queryValue("a b") == "1")
        #expect(HTTPTarget("/x").queryValue("a") == nil)
    }
}
