import Testing

@testable import CurfewConfig

@Suite struct SyntaxErrorTests {
    @Test func missingCommaOnLineSevenSaysLineSeven() throws {
        let text = """
            {
              listeners: [
                { address: "127.0.0.1:4984" },
              ],
              upstream: {
                url: "http://127.0.0.1:4985",
                connect_timeout: "5s"
                idle_timeout: "60s",
              },
            }
            """
        let e = try #require(failure(text))
        #expect(e.kind == .syntax)
        #expect(e.line == 7)
        #expect(
            e.description == """
                /etc/curfew/proxy.conf:7:26: syntax error: missing "," after this value (found "i")
                """)
    }

    @Test(arguments: [
        // (text, line, column, message)
        ("{\n  a: 1,\n  b: \"x\n}", 3, 8, "newline inside a string (a string must end on the line it starts)"),
        ("{\n  a 1\n}", 2, 5, "expected \":\" after the key, found \"1\""),
        ("{\n  a: 1,,\n}", 2, 8, "unexpected \",\""),
        ("{\n  a: [1, 2\n", 3, 1, "unexpected end of file; the array opened at 2:6 is not closed"),
        ("{ a: 1 }\n}", 2, 1, "unexpected \"}\" after the end of the top-level value"),
        ("{\n  a: hello,\n}", 2, 6, "expected a value, found \"h\" (strings need quotes)"),
        ("{\n  /* note\n  a: 1\n}", 2, 3, "unterminated /* comment"),
        ("", 1, 1, "the file is empty; expected an object"),
        ("{\n  a: 'it\\'s',\n  b: 012,\n}", 3, 6, "numbers cannot have leading zeros"),
        ("{ é: \"ü\" \n  b: 1 }", 1, 9, "missing \",\" after this value (found \"b\")"),
        ("{\n  a: 5s,\n}", 2, 6, "malformed number (strings need quotes)"),
        ("{\n  a-b: 1,\n}", 2, 4, "expected \":\" after the key, found \"-\""),
    ])
    func syntaxErrorsNameLineAndColumn(text: String, line: Int, column: Int, message: String) throws {
        let e = try #require(failure(text))
        #expect(e.kind == .syntax)
        #expect(e.description == "\(testConfigPath):\(line):\(column): syntax error: \(message)")
    }

    @Test func json5FeaturesAreAccepted() throws {
        let text = """
            // a line comment
            {
              /* a block
                 comment */
              'listeners': [{ "address": '127.0.0.1:4984', tls: { self_signed: true, }, },],
              upstream: { url: 'http://127.0.0.1:4985', },   // trailing commas everywhere
              limits: { header_fields: 0x40, request_line: +4096 },
            }
            """
        let c = try parse(text).config
        #expect(c.listeners[0].tls?.identity == .selfSigned)
        #expect(c.limits.headerFields == 64)
        #expect(c.limits.requestLine == 4096)
    }

    @Test func topLevelMustBeAnObject() throws {
        let e = try #require(failure("[1, 2]"))
        #expect(e.description == "\(testConfigPath): the top level must be an object, got an array")
    }

    @Test func theLocatorFindsNothingInValidJSON5() {
        let valid = "\u{FEFF}{a: [1, -2.5e3, .5, +1, 0x1F, Infinity, NaN, 'x\\u0041\\x41', \"a\\\nb\"], 'k': {},}"
        #expect(JSON5SyntaxLocator.locate(in: Array(valid.utf8)) == nil)
    }

    @Test func unreadableFileSaysWhy() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/curfew/proxy.conf")
            Issue.record("loaded a file that does not exist")
        } catch {
            #expect(error.kind == .cannotRead)
            #expect(error.description == "/nonexistent/curfew/proxy.conf: cannot read: No such file or directory")
        }
    }
}

@Suite struct DuplicateKeyTests {
    @Test func duplicateKeyIsRefusedWithItsPathAndBothLines() throws {
        let text = """
            {
              listeners: [{ address: "127.0.0.1:4984" }],
              upstream: { url: "http://127.0.0.1:4985" },
              credentials: {
                anonymous: "reject",
                'anonymous': "allow",
              },
            }
            """
        let e = try #require(failure(text))
        #expect(e.kind == .duplicateKey)
        #expect(
            e.description == """
                /etc/curfew/proxy.conf:6:5: duplicate key "credentials.anonymous" (also on line 5; only one would be used)
                """)
    }

    @Test func duplicateInsideAnArrayElementNamesTheElement() throws {
        let text = """
            { listeners: [{ address: "127.0.0.1:1" }, { address: "127.0.0.1:2", address: "127.0.0.1:3" }],
              upstream: { url: "http://127.0.0.1:4985" } }
            """
        let e = try #require(failure(text))
        #expect(
            e.description == """
                /etc/curfew/proxy.conf:1:69: duplicate key "listeners[1].address" (also on line 1; only one would be used)
                """)
    }

    @Test func aSyntaxErrorAfterADuplicateIsStillReportedAsTheSyntaxError() throws {
        let e = try #require(failure("{\n  a: 1,\n  a: 2,\n  b: \n}"))
        #expect(e.description == "\(testConfigPath):5:1: syntax error: expected a value, found \"}\"")
    }

    @Test func sameKeyInDifferentObjectsIsFine() throws {
        let text = """
            { listeners: [{ address: "127.0.0.1:1" }, { address: "127.0.0.1:2" }],
              upstream: { url: "http://127.0.0.1:4985" },
              credentials: { session: { max_age: "1h" }, basic: { max_age: "1h" } } }
            """
        #expect(try parse(text).config.listeners.count == 2)
    }
}
