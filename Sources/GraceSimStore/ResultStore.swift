import Foundation
import GRDB

/// A results database: sweeps, their runs and the runs' metrics, in one SQLite file in WAL mode.
///
/// Opening for writing applies the schema's migrations; opening for reading only checks that the schema is one
/// this build knows. Either way a database written by a newer gracesim, a file that is not a database, a
/// read-only file opened for writing, or a database kept locked by another process beyond the busy timeout
/// gives a ``StoreError`` and leaves the file as it was.
public final class ResultStore: Sendable {
    /// The file, as the user named it (":memory:" for an in-memory store).
    public let path: String
    /// The connection(s): a `DatabasePool` for files, a `DatabaseQueue` in memory.
    public let writer: any DatabaseWriter

    /// How long a write waits by default for another process's write to finish, in seconds: 30, or
    /// `GRACESIM_BUSY_TIMEOUT_S` when that is set to a positive number (tests use a short wait).
    public static var busyTimeoutSeconds: TimeInterval {
        if let text = ProcessInfo.processInfo.environment["GRACESIM_BUSY_TIMEOUT_S"], let seconds = Double(text), seconds > 0 {
            return seconds
        }
        return 30
    }

    /// Refuses a `GRACESIM_BUSY_TIMEOUT_S` that is set but is not a number of seconds above 0 and at most 86,400.
    static func checkBusyTimeoutVariable() throws {
        guard let text = ProcessInfo.processInfo.environment["GRACESIM_BUSY_TIMEOUT_S"] else { return }
        guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
            let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
            throw StoreError(file: "GRACESIM_BUSY_TIMEOUT_S", "expected a number of seconds above 0 and at most 86400, found \"\(shown)\"")
        }
    }

    /// Opens (creating it when missing) the database at `path` for writing, and migrates it.
    /// - Parameter busyTimeoutSeconds: how long to wait for another process's lock before giving up.
    public static func openForWriting(path: String, busyTimeoutSeconds: TimeInterval = busyTimeoutSeconds) throws -> ResultStore {
        try checkBusyTimeoutVariable()
        let url = URL(fileURLWithPath: path)
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: path) {
            guard fileManager.isWritableFile(atPath: path) else { throw StoreError(file: path, "the database file is read-only") }
        }
        let directory = url.deletingLastPathComponent().path
        guard fileManager.fileExists(atPath: directory) else { throw StoreError(file: path, "the folder \(directory) does not exist") }
        guard fileManager.isWritableFile(atPath: directory) else {
            throw StoreError(file: path, "the folder \(directory) is read-only (SQLite needs to create its -wal and -shm files there)")
        }
        // Look before touching: opening a pool switches the file to WAL, and migrating adds tables.
        if let size = (try? fileManager.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 {
            try refuseForeign(path: path, busyTimeoutSeconds: busyTimeoutSeconds)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        // GRDB begins a pool's write transactions IMMEDIATE: each takes the write lock when it begins, so a
        // check-then-insert (is this run already finished?) never races another process's write.
        // WAL with synchronous=NORMAL: a committed run survives the process being killed; only a power cut can
        // lose the last few commits (never corrupting the file), and a resumed sweep runs those points again.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        // Switching a new file to WAL and the first migration take locks that SQLite's busy timeout does not
        // always wait for; when another process is creating the same database at that moment, try again shortly.
        let deadline = Date().addingTimeInterval(busyTimeoutSeconds)
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                let store = ResultStore(path: path, writer: pool)
                try store.migrate()
                try pool.write { db in try RunMetricsView.refresh(db) }
                try translating(path) { try pool.read { db in try store.refuseUnknownStatus(db) } }
                return store
            } catch let error as DatabaseError where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED)
                                                     && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            } catch let error as DatabaseError {
                return try translating(path) { throw error }
            }
        }
    }

    /// Opens an existing database for reading only.
    public static func openForReading(path: String, busyTimeoutSeconds: TimeInterval = busyTimeoutSeconds) throws -> ResultStore {
        try checkBusyTimeoutVariable()
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(file: path, "no such database") }
        try refuseForeign(path: path, busyTimeoutSeconds: busyTimeoutSeconds)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        let queue = try translating(path) { try DatabaseQueue(path: path, configuration: configuration) }
        let store = ResultStore(path: path, writer: queue)
        try translating(path) {
            try queue.read { db in
                let tables = try db.tableExists(RunRecord.databaseTableName)
                guard tables else { throw StoreError(file: path, "not a gracesim results database (no runs table)") }
                try store.refuseNewerSchema(db)
                try store.refuseUnknownStatus(db)
            }
        }
        return store
    }

    /// Refuses an SQLite file that holds tables but not gracesim's schema (another program's database), or gracesim's
    /// schema from a newer version, reading it only. An empty database, or one holding nothing but an empty `grdb_migrations` (another process is
    /// creating it), is fine.
    static func refuseForeign(path: String, busyTimeoutSeconds: TimeInterval) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        try translating(path) {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                let applied = tables.contains("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
                let own = tables.filter { $0 != "grdb_migrations" }
                guard !own.isEmpty || !applied.isEmpty else { return }
                guard let first = StoreSchema.knownMigrations.first, applied.contains(first) else {
                    let shown = own.prefix(5).joined(separator: ", ") + (own.count > 5 ? ", ..." : "")
                    throw StoreError(file: path, "not a gracesim results database (it holds other tables: \(shown)); left untouched, use another --db file")
                }
                // Before a pool opens it: opening one writes to the WAL.
                try refuseNewerSchema(db, path: path)
            }
        }
    }

    /// A fresh store in memory, for tests.
    public static func inMemory() throws -> ResultStore {
        let store = ResultStore(path: ":memory:", writer: try DatabaseQueue())
        try store.migrate()
        return store
    }

    init(path: String, writer: any DatabaseWriter) {
        self.path = path
        self.writer = writer
    }

    /// Copies the WAL into the database file (as far as other processes' readers allow, without waiting), then
    /// closes the connections, so that the `.sqlite` file alone holds every finished run (e.g. before committing
    /// or copying it). When no other process has the database open, the -wal and -shm files go too.
    public func close() throws {
        try Self.translating(path) {
            if let pool = writer as? DatabasePool {
                _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
                try pool.close()
            }
            if let queue = writer as? DatabaseQueue { try queue.close() }
        }
        Self.removeWALFiles(path)
    }

    /// A store opened for reading is rarely closed by hand: leaving it removes the -wal and -shm files its
    /// connection made, when no other process holds the database.
    deinit {
        guard path != ":memory:", let queue = writer as? DatabaseQueue, queue.configuration.readonly else { return }
        try? queue.close()
        Self.removeWALFiles(path)
    }

    /// Opens and closes one plain connection: SQLite checkpoints and deletes the -wal and -shm files when the
    /// last connection to a database closes, which a pool (keeping its WAL for readers) or a read-only connection
    /// does not do. Nothing happens while another process has the database open, or where the folder is read-only.
    static func removeWALFiles(_ path: String) {
        guard path != ":memory:", FileManager.default.fileExists(atPath: path + "-wal") else { return }
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        if let last = try? DatabaseQueue(path: path, configuration: configuration) { try? last.close() }
    }

    /// Fails on the first run whose `status` is not one this build writes (a hand-edited database), naming the
    /// row and the value, before a read would fail to decode it.
    func refuseUnknownStatus(_ db: Database) throws {
        let known = [RunRecord.Status.finished, .failed].map(\.rawValue)
        let placeholders = known.map { _ in "?" }.joined(separator: ", ")
        let sql = "SELECT id, status FROM \(RunRecord.databaseTableName) WHERE status NOT IN (\(placeholders)) ORDER BY id LIMIT 1"
        if let row = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(known)) {
            let id: Int64 = row["id"]
            let status: String? = row["status"]
            throw StoreError(file: path, "table \(RunRecord.databaseTableName), row id \(id): status \(status.map { "\"\($0)\"" } ?? "NULL") is not one of \(known.joined(separator: ", "))")
        }
    }

    /// Applies the migrations this build knows, after checking the database holds none it does not know.
    /// - Throws: ``StoreError`` for a newer schema; `DatabaseError` as SQLite reports it otherwise.
    func migrate() throws {
        try writer.read { db in try refuseNewerSchema(db) }
        let migrator = StoreSchema.migrator
        // GRDB reads the applied migrations once, outside the migrations' transactions, so another process creating
        // the same database can apply one in between, and ours then fails (and is rolled back). A failure after
        // which the applied set has grown is taken as such a race and tried again from where the schema now is;
        // the set only grows and is finite, so this ends. A failure with no progress is rethrown.
        var applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
        while true {
            do {
                try migrator.migrate(writer)
                break
            } catch {
                let (now, complete) = try writer.read { db in
                    (try migrator.appliedIdentifiers(db), try migrator.hasCompletedMigrations(db))
                }
                if complete { break }
                guard now.isStrictSuperset(of: applied) else { throw error }
                applied = now
            }
        }
        try writer.read { db in try refuseNewerSchema(db) }
    }

    func refuseNewerSchema(_ db: Database) throws {
        try Self.refuseNewerSchema(db, path: path)
    }

    static func refuseNewerSchema(_ db: Database, path: String) throws {
        let migrator = StoreSchema.migrator
        guard try db.tableExists("grdb_migrations") else { return }
        if try migrator.hasBeenSuperseded(db) {
            let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
            throw StoreError(file: path, "written by a newer gracesim (schema migrations \(unknown.joined(separator: ", ")) are unknown to this version); use a newer gracesim or another --db file")
        }
    }

    /// Runs `body`, turning SQLite errors into one-line ``StoreError``s.
    @discardableResult static func translating<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_READONLY:
                throw StoreError(file: path, "the database is read-only")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw StoreError(file: path, "the database is locked by another process; try again when it finishes")
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                throw StoreError(file: path, "not an SQLite database (left untouched)")
            case .SQLITE_CANTOPEN:
                throw StoreError(file: path, "cannot open the database file")
            case .SQLITE_FULL:
                throw StoreError(file: path, "the disk is full")
            default:
                throw StoreError(file: path, "SQLite error: \(error.message ?? error.description)")
            }
        }
    }
}
