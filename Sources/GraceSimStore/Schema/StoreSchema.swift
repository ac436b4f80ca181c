import GRDB

/// The versioned schema of a results database: GRDB migrations registered by id, applied in order.
///
/// A migration is never edited once merged, and names its tables literally (as GRDB's migration guide advises),
/// so that renaming a record type cannot change what an old migration does; a change to the schema is a new
/// migration appended here and
/// documented in the README. A database that holds a migration this build does not know was written by a newer
/// gracesim and is refused (see ``ResultStore``).
public enum StoreSchema {
    /// The migrations, in the order they are applied.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-sweeps-runs-metrics") { db in
            try db.create(table: "sweeps") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("spec", .text).notNull()
                t.column("created", .text).notNull()
                t.column("gracesim_version", .text).notNull()
            }
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sweep_id", .integer).notNull().references("sweeps", onDelete: .cascade)
                t.column("point_index", .integer).notNull()
                t.column("point", .text).notNull()
                t.column("config", .text).notNull()
                t.column("config_hash", .text).notNull()
                t.column("seed", .integer).notNull()
                t.column("strategy", .text).notNull()
                t.column("hardware", .text).notNull()
                t.column("status", .text).notNull()
                t.column("wall_s", .double).notNull()
                t.column("simulated_s", .double)
                t.column("error", .text)
                t.column("finished_at", .text).notNull()
                t.uniqueKey(["sweep_id", "config_hash"])
            }
            try db.create(index: "run_on_config_hash", on: "runs", columns: ["config_hash"])
            try db.create(table: "metrics") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("scope", .text).notNull()
                t.column("metric", .text).notNull()
                t.column("value", .double).notNull()
                t.primaryKey(["run_id", "scope", "metric"])
            }
            try db.create(table: "requests") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("request", .integer).notNull()
                t.column("instance", .text).notNull()
                t.column("arrival_s", .double).notNull()
                t.column("first_token_s", .double)
                t.column("finish_s", .double)
                t.column("prompt_tokens", .integer).notNull()
                t.column("output_tokens", .integer).notNull()
                t.column("generated_tokens", .integer).notNull()
                t.column("preemptions", .integer).notNull()
                t.column("max_tbt_ms", .double).notNull()
                t.column("status", .text).notNull()
                t.primaryKey(["run_id", "request"])
            }
            try db.create(table: "series") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("scope", .text).notNull()
                t.column("series", .text).notNull()
                t.column("t_s", .double).notNull()
                t.column("value", .double).notNull()
                t.primaryKey(["run_id", "scope", "series", "t_s"])
            }
        }
        // Cooperating sweep processes: a point is leased (owner, heartbeat) before it runs, so that several
        // processes share a grid instead of each simulating all of it; and the sweep file each sweep came from.
        migrator.registerMigration("v2-claims-spec-file") { db in
            try db.alter(table: "sweeps") { t in
                t.add(column: "spec_file", .text)
            }
            try db.create(table: "claims") { t in
                t.column("sweep_id", .integer).notNull().references("sweeps", onDelete: .cascade)
                t.column("config_hash", .text).notNull()
                t.column("owner", .text).notNull()
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("claimed_at", .text).notNull()
                t.column("heartbeat_s", .double).notNull()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.primaryKey(["sweep_id", "config_hash"])
            }
        }
        // Axis values typed (numbers as JSON numbers, so that they sort as numbers), and the view `run_metrics`
        // with one row per run and one column per metric. Points of older rows are rewritten in place; the point
        // decoder still reads the all-string form of databases opened only for reading.
        migrator.registerMigration("v3-typed-points-run-metrics-view") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, point FROM runs")
            for row in rows {
                let id: Int64 = row[0], point: String = row[1]
                let typed = PointJSON.retyped(point)
                if typed != point {
                    try db.execute(sql: "UPDATE runs SET point = ? WHERE id = ?", arguments: [typed, id])
                }
            }
            try RunMetricsView.refresh(db)
        }
        return migrator
    }

    /// The ids of every migration this build knows, oldest first.
    public static var knownMigrations: [String] { migrator.migrations }
}
