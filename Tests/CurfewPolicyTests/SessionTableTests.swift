import Testing

@testable import CurfewPolicy

@Suite struct SessionTableTests {
    @Test func upsertThenLookup() throws {
        var table = SessionTable(capacity: 4)
        table.upsert(id: "s1", db: "db", user: "bob", expiresAt: 10_000, state: .valid, now: 100)
        let found = table.lookup("s1", now: 200)
        let record = try #require(found)
        #expect(
            record
                == SessionTable.Record(
                    db: "db", user: "bob", expiresAt: 10_000, firstSeen: 100, lastChecked: nil, state: .valid))
        #expect(table.count == 1)
        #expect(table.capacity == 4)
        let missing = table.lookup("nope", now: 200)
        #expect(missing == nil)
        #expect(table.validate())
    }

    @Test func upsertUpdatesOnlyGivenFieldsAndKeepsFirstSeen() throws {
        var table = SessionTable(capacity: 4)
        table.upsert(id: "s1", db: "db", user: "bob", now: 100)
        table.upsert(id: "s1", expiresAt: 5000, state: .valid, now: 300)
        let record = try #require(table.peek("s1"))
        #expect(record.db == "db")
        #expect(record.user == "bob")
        #expect(record.expiresAt == 5000)
        #expect(record.firstSeen == 100)
        #expect(record.state == .valid)
        #expect(table.count == 1)
    }

    @Test func expiredRecordsVanishOnLookup() {
        var table = SessionTable(capacity: 4)
        table.upsert(id: "s1", expiresAt: 1000, state: .valid, now: 0)
        let beforeExpiry = table.lookup("s1", now: 999)
        #expect(beforeExpiry != nil)
        // The expiry instant itself counts as expired.
        let atExpiry = table.lookup("s1", now: 1000)
        #expect(atExpiry == nil)
        #expect(table.count == 0)
        #expect(table.peek("s1") == nil)
        #expect(table.validate())
    }

    @Test func learnExpiryMovesTheDeadlineOfKnownSessionsOnly() throws {
        var table = SessionTable(capacity: 4)
        table.upsert(id: "s1", expiresAt: 1000, state: .valid, now: 0)
        let knownLearned = table.learnExpiry(id: "s1", expiresAt: 9000)
        #expect(knownLearned)
        let afterLearning = table.lookup("s1", now: 5000)
        #expect(afterLearning?.expiresAt == 9000)
        let unknownLearned = table.learnExpiry(id: "unknown", expiresAt: 9000)
        #expect(!unknownLearned)
        #expect(table.peek("unknown") == nil)
        #expect(table.count == 1)
    }

    @Test func leastRecentlyUsedIsEvicted() {
        var table = SessionTable(capacity: 3)
        table.upsert(id: "a", now: 1)
        table.upsert(id: "b", now: 2)
        table.upsert(id: "c", now: 3)
        #expect(table.idsFromNewest() == ["c", "b", "a"])
        // Using "a" makes "b" the oldest.
        let usedA = table.lookup("a", now: 4)
        #expect(usedA != nil)
        #expect(table.idsFromNewest() == ["a", "c", "b"])
        table.upsert(id: "d", now: 5)
        #expect(table.peek("b") == nil)
        #expect(table.idsFromNewest() == ["d", "a", "c"])
        // touch, learnExpiry, markChecked and shouldCheck count as use too; peek does not.
        let touchedC = table.touch("c")
        #expect(touchedC)
        #expect(table.peek("a") != nil)
        table.upsert(id: "e", now: 6)
        #expect(table.idsFromNewest() == ["e", "c", "d"])
        table.learnExpiry(id: "d", expiresAt: 100)
        table.markChecked(id: "c", at: 7, valid: true)
        #expect(table.idsFromNewest() == ["c", "d", "e"])
        let checkedE = table.shouldCheck(id: "e", now: 8, interval: 1000)
        #expect(checkedE)
        #expect(table.idsFromNewest() == ["e", "c", "d"])
        #expect(table.count == 3)
        #expect(table.validate())
    }

    @Test func removeAndReuseSlots() throws {
        var table = SessionTable(capacity: 3)
        table.upsert(id: "a", user: "u", now: 1)
        table.upsert(id: "b", now: 2)
        table.upsert(id: "c", now: 3)
        let firstRemoval = table.remove("b")
        let removed = try #require(firstRemoval)
        #expect(removed.firstSeen == 2)
        let secondRemoval = table.remove("b")
        #expect(secondRemoval == nil)
        let touchedRemoved = table.touch("b")
        #expect(!touchedRemoved)
        #expect(table.validate())
        table.upsert(id: "d", now: 4)
        #expect(table.count == 3)
        #expect(table.idsFromNewest() == ["d", "c", "a"])
        let removedD = table.remove("d")
        #expect(removedD != nil)
        let removedA = table.remove("a")
        #expect(removedA != nil)
        let removedC = table.remove("c")
        #expect(removedC != nil)
        #expect(table.count == 0)
        #expect(table.idsFromNewest() == [])
        #expect(table.validate())
        table.upsert(id: "x", now: 5)
        #expect(table.idsFromNewest() == ["x"])
        #expect(table.validate())
    }

    @Test func boundHoldsAfterTenThousandBogusIDs() {
        var table = SessionTable(capacity: 256)
        table.upsert(id: "real", db: "db", user: "bob", state: .valid, now: 0)
        var checks = 0
        for i in 0..<10_000 {
            if table.shouldCheck(id: "bogus-\(i)", now: Int64(i), interval: 60_000) { checks += 1 }
            #expect(table.count <= table.capacity)
        }
        #expect(checks == 10_000)
        #expect(table.count == 256)
        #expect(table.validate())
        // The newest 256 bogus ids are the ones kept.
        #expect(table.peek("bogus-9999") != nil)
        #expect(table.peek("bogus-9744") != nil)
        #expect(table.peek("bogus-9743") == nil)
        #expect(table.peek("real") == nil)
    }

    @Test func shouldCheckOncePerIntervalPerID() throws {
        var table = SessionTable(capacity: 8)
        let firstCheck = table.shouldCheck(id: "bogus", now: 1000, interval: 500)
        #expect(firstCheck)
        let reserved = try #require(table.peek("bogus"))
        #expect(reserved.state == .unknown)
        #expect(reserved.lastChecked == 1000)
        let sameInstant = table.shouldCheck(id: "bogus", now: 1000, interval: 500)
        #expect(!sameInstant)
        let justBeforeInterval = table.shouldCheck(id: "bogus", now: 1499, interval: 500)
        #expect(!justBeforeInterval)
        // Another id is independent.
        let otherID = table.shouldCheck(id: "other", now: 1499, interval: 500)
        #expect(otherID)
        let atInterval = table.shouldCheck(id: "bogus", now: 1500, interval: 500)
        #expect(atInterval)
        let withinSecondInterval = table.shouldCheck(id: "bogus", now: 1999, interval: 500)
        #expect(!withinSecondInterval)
        let atSecondInterval = table.shouldCheck(id: "bogus", now: 2000, interval: 500)
        #expect(atSecondInterval)
        #expect(table.count == 2)
    }

    @Test func markCheckedRecordsTheAnswerAndCountsAsACheck() throws {
        var table = SessionTable(capacity: 8)
        table.markChecked(id: "s1", at: 100, valid: true)
        #expect(table.peek("s1")?.state == .valid)
        #expect(table.peek("s1")?.firstSeen == 100)
        let checkSoonAfterAnswer = table.shouldCheck(id: "s1", now: 150, interval: 100)
        #expect(!checkSoonAfterAnswer)
        table.markChecked(id: "s1", at: 200, valid: false)
        #expect(table.peek("s1")?.state == .deleted)
        #expect(table.peek("s1")?.lastChecked == 200)
        #expect(table.peek("s1")?.firstSeen == 100)
    }

    @Test func onlyAValidAnswerConfirms() throws {
        var table = SessionTable(capacity: 8)
        table.markChecked(id: "s1", at: 100, valid: true)
        #expect(table.peek("s1")?.lastConfirmed == 100)
        // A reserved check moves lastChecked, not lastConfirmed: its answer may never come.
        let reserved = table.shouldCheck(id: "s1", now: 300, interval: 100)
        #expect(reserved)
        let record = try #require(table.peek("s1"))
        #expect(record.lastChecked == 300)
        #expect(record.lastConfirmed == 100)
        table.markChecked(id: "s1", at: 400, valid: false)
        #expect(table.peek("s1")?.lastConfirmed == nil)
        let unknown = table.shouldCheck(id: "s2", now: 500, interval: 100)
        #expect(unknown)
        #expect(table.peek("s2")?.lastConfirmed == nil)
    }

    @Test func validCheckDropsAStaleExpiryButKeepsAFutureOne() {
        var table = SessionTable(capacity: 8)
        table.upsert(id: "stale", expiresAt: 100, now: 0)
        table.upsert(id: "future", expiresAt: 10_000, now: 0)
        table.markChecked(id: "stale", at: 500, valid: true)
        table.markChecked(id: "future", at: 500, valid: true)
        let stale = table.lookup("stale", now: 600)
        #expect(stale?.expiresAt == nil)
        let future = table.lookup("future", now: 600)
        #expect(future?.expiresAt == 10_000)
    }

    @Test func shouldCheckReplacesAnExpiredRecord() throws {
        var table = SessionTable(capacity: 8)
        table.upsert(id: "s1", db: "db", user: "bob", expiresAt: 1000, state: .valid, now: 0)
        table.markChecked(id: "s1", at: 900, valid: true)
        let checkAfterExpiry = table.shouldCheck(id: "s1", now: 1000, interval: 60_000)
        #expect(checkAfterExpiry)
        let fresh = try #require(table.peek("s1"))
        #expect(fresh == SessionTable.Record(firstSeen: 1000, lastChecked: 1000, state: .unknown))
    }

    @Test func sessionsOfUserMatchesDatabaseAndName() {
        var table = SessionTable(capacity: 16)
        table.upsert(id: "s1", db: "db", user: "bob", now: 0)
        table.upsert(id: "s2", db: "db", user: "amy", now: 0)
        table.upsert(id: "s3", db: "other", user: "bob", now: 0)
        table.upsert(id: "s4", db: "db", user: "bob", now: 0)
        table.upsert(id: "s5", user: "bob", now: 0)
        table.upsert(id: "s6", now: 0)
        #expect(Set(table.sessions(ofUser: "bob", db: "db")) == ["s1", "s4"])
        #expect(table.sessions(ofUser: "bob", db: "other") == ["s3"])
        #expect(table.sessions(ofUser: "bob", db: nil) == ["s5"])
        #expect(table.sessions(ofUser: "carol", db: "db") == [])
        #expect(table.sessions(ofUser: "Bob", db: "db") == [])
    }

    @Test func capacityOfOne() {
        var table = SessionTable(capacity: 1)
        table.upsert(id: "a", now: 0)
        table.upsert(id: "b", now: 1)
        #expect(table.count == 1)
        #expect(table.peek("a") == nil)
        #expect(table.peek("b") != nil)
        #expect(table.validate())
    }

    @Test func randomOperationsKeepTheTableConsistent() {
        // Fixed-seed LCG (h2o-style), checked against a plain reference model.
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let capacity = 32
        var table = SessionTable(capacity: capacity)
        var model: [String] = []  // ids, most recent first
        for step in 0..<5000 {
            let id = "id\(next(64))"
            let now = Int64(step)
            switch next(4) {
            case 0:
                table.upsert(id: id, now: now)
                model.removeAll { $0 == id }
                model.insert(id, at: 0)
                if model.count > capacity { model.removeLast() }
            case 1:
                let found = table.lookup(id, now: now) != nil
                #expect(found == model.contains(id))
                if found {
                    model.removeAll { $0 == id }
                    model.insert(id, at: 0)
                }
            case 2:
                let removed = table.remove(id) != nil
                #expect(removed == model.contains(id))
                model.removeAll { $0 == id }
            default:
                let touched = table.touch(id)
                #expect(touched == model.contains(id))
                if touched {
                    model.removeAll { $0 == id }
                    model.insert(id, at: 0)
                }
            }
            if step % 97 == 0 { #expect(table.validate()) }
        }
        #expect(table.idsFromNewest() == model)
        #expect(table.validate())
    }
}
