//! Database access: one diesel connection type over SQLite and PostgreSQL,
//! an r2d2 pool, embedded migrations, and helpers that run blocking diesel
//! work off the async runtime.

pub mod schema;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The PostgreSQL advisory lock key that serialises migrations ("concord1").
const MIGRATION_LOCK: i64 = 0x636f_6e63_6f72_6431;

/// A connection to either backend. Queries written once with diesel's DSL run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the database lives, parsed from `sqlite://PATH`, `sqlite::memory:` or `postgres://...`.
#[derive(Clone, Debug)]
pub struct DbUrl {
    pub backend: Backend,
    /// What the backend's driver is given: a file path for SQLite, the URL for PostgreSQL.
    pub target: String,
}

impl DbUrl {
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbUrl {
                backend: Backend::Postgres,
                target: url.to_string(),
            })
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            anyhow::ensure!(
                !path.is_empty(),
                "the SQLite URL has no file path: use sqlite://concord.db"
            );
            Ok(DbUrl {
                backend: Backend::Sqlite,
                target: path.to_string(),
            })
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            anyhow::ensure!(
                !path.is_empty(),
                "the SQLite URL has no file path: use sqlite://concord.db"
            );
            Ok(DbUrl {
                backend: Backend::Sqlite,
                target: path.to_string(),
            })
        } else {
            anyhow::bail!(
                "unsupported database URL '{url}': it must start with sqlite:// or postgres://"
            )
        }
    }
}

/// A PostgreSQL URL that gives up connecting after a few seconds (libpq's
/// `connect_timeout`), unless it says otherwise, so an unreachable server
/// is noticed instead of waited on.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        url.to_string()
    } else {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}connect_timeout=3")
    }
}

/// How much of an SQLite database file each connection maps into memory
/// (`PRAGMA mmap_size`): 256 MiB, or `CONCORD_SQLITE_MMAP_SIZE` bytes (for
/// measuring; 0 turns mapping off). Each pooled connection maps the file
/// separately and RSS counts the mapped pages once per mapping, though the
/// kernel holds them once (bench/README.md, matching).
fn sqlite_mmap_size() -> u64 {
    std::env::var("CONCORD_SQLITE_MMAP_SIZE")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(268_435_456)
}

/// Opens connections for the pool and sets each one up.
pub struct Manager {
    url: DbUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        match self.url.backend {
            Backend::Postgres => {
                diesel::PgConnection::establish(&with_connect_timeout(&self.url.target))
                    .map(DbConn::Pg)
                    .map_err(diesel::r2d2::Error::ConnectionError)
            }
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&self.url.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // Per-connection settings: SQLite forgets these on every open.
                conn.batch_execute(&format!(
                    // A bigger page cache and memory-mapped reads: the default 2 MiB cache
                    // makes every portfolio query re-read the file through system calls.
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -32000; PRAGMA mmap_size = {}; PRAGMA temp_store = MEMORY;",
                    sqlite_mmap_size()
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

pub type Conn = PooledConnection<Manager>;

/// The application's handle on the database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// SQLite allows one writer at a time; taking this lock first means writers
    /// in this process queue here instead of failing with SQLITE_BUSY.
    write_lock: Arc<Mutex<()>>,
    /// When the database last failed to give a connection (Unix milliseconds;
    /// 0 while it is up). While it is known to be down, requests give up at
    /// once with 503 instead of each waiting the full connection timeout.
    down_since: Arc<AtomicI64>,
}

/// How long a request waits for a connection while the database is up.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);
/// How long it waits while the database is known to be down: enough to
/// notice that it is back.
const WHILE_DOWN_TIMEOUT: Duration = Duration::from_millis(250);
/// How long the health check waits in all.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(1);

impl Db {
    pub fn connect(url: &str, max_size: u32) -> anyhow::Result<Db> {
        let url = DbUrl::parse(url)?;
        let backend = url.backend;
        if backend == Backend::Sqlite && url.target != ":memory:" {
            if let Some(parent) = std::path::Path::new(&url.target).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)?;
                }
            }
        }
        let manager = Manager { url };
        let pool = Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(CONNECTION_TIMEOUT)
            .build(manager)
            .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
        let db = Db {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            down_since: Arc::new(AtomicI64::new(0)),
        };
        if backend == Backend::Sqlite {
            // WAL lets readers carry on while one writer writes; it persists in the file.
            db.conn()?.batch_execute("PRAGMA journal_mode = WAL;")?;
        }
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn conn(&self) -> AppResult<Conn> {
        let down = self.down_since.load(Ordering::Relaxed) != 0;
        self.conn_within(if down {
            WHILE_DOWN_TIMEOUT
        } else {
            CONNECTION_TIMEOUT
        })
    }

    fn conn_within(&self, timeout: Duration) -> AppResult<Conn> {
        match self.pool.get_timeout(timeout) {
            Ok(conn) => {
                self.down_since.store(0, Ordering::Relaxed);
                Ok(conn)
            }
            Err(e) => {
                let now = chrono::Utc::now().timestamp_millis().max(1);
                if self.down_since.swap(now, Ordering::Relaxed) == 0 {
                    tracing::error!(error = %e, "the database is unreachable");
                }
                Err(e.into())
            }
        }
    }

    /// Applies any migrations not yet applied. Safe to run on every start.
    pub fn migrate(&self) -> anyhow::Result<Vec<String>> {
        let mut conn = self.conn()?;
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let applied = match &mut *conn {
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|versions| versions.iter().map(|v| v.to_string()).collect::<Vec<_>>()),
            DbConn::Pg(c) => {
                // Two instances starting on an empty database must not both
                // create the tables: the second waits here, then finds them made.
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                let applied = c
                    .run_pending_migrations(PG_MIGRATIONS)
                    .map(|versions| versions.iter().map(|v| v.to_string()).collect::<Vec<_>>());
                c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
                applied
            }
        }
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(applied)
    }

    /// Runs read-only work on a pooled connection, off the async runtime.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_blocking(f))
            .await
            .map_err(AppError::internal)?
    }

    /// Runs work in one transaction: all of it is written, or none of it.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write_blocking(f))
            .await
            .map_err(AppError::internal)?
    }

    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
        self.write_blocking_as(f)
    }

    /// Like [`Db::write_blocking`], for work with its own error type (imports).
    pub fn write_blocking_as<T, E>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error> + From<AppError>,
    {
        let mut conn = self.conn()?;
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres => None,
        };
        in_write_transaction(&mut conn, f)
    }

    /// True when the database answers a trivial query.
    /// Answers within [`HEALTH_TIMEOUT`] whatever the database does.
    pub async fn ping(&self) -> bool {
        let db = self.clone();
        let check = tokio::task::spawn_blocking(move || {
            let mut conn = db.conn_within(HEALTH_TIMEOUT)?;
            conn.batch_execute("SELECT 1").map_err(AppError::from)
        });
        matches!(
            tokio::time::timeout(HEALTH_TIMEOUT, check).await,
            Ok(Ok(Ok(())))
        )
    }

    /// Table name -> sorted column names, for checking both backends match.
    pub fn describe_tables(&self) -> AppResult<Vec<(String, Vec<String>)>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            table_name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            column_name: String,
        }
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
                 AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'"
            }
            Backend::Postgres => {
                "SELECT table_name::text AS table_name, column_name::text AS column_name \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name <> '__diesel_schema_migrations'"
            }
        };
        let rows: Vec<Row> = self.read_blocking(|c| Ok(diesel::sql_query(sql).load(c)?))?;
        let mut map: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for r in rows {
            map.entry(r.table_name).or_default().push(r.column_name);
        }
        Ok(map
            .into_iter()
            .map(|(t, mut cols)| {
                cols.sort();
                (t, cols)
            })
            .collect())
    }
}

/// Runs `f` in a write transaction. On SQLite it starts with BEGIN IMMEDIATE,
/// which takes the write lock at once: a deferred transaction that reads
/// first and then writes cannot wait for another process's lock (SQLite
/// refuses the upgrade at once), whereas this waits up to `busy_timeout`.
fn in_write_transaction<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConn::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    } else {
        return conn.transaction(f);
    }
    let result = f(conn);
    let DbConn::Sqlite(c) = conn else {
        unreachable!("the connection cannot change backend")
    };
    match result {
        Ok(value) => {
            if let Err(e) = AnsiTransactionManager::commit_transaction(c) {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(e.into());
            }
            Ok(value)
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(c)?;
            Err(e)
        }
    }
}

impl From<diesel::r2d2::Error> for AppError {
    fn from(e: diesel::r2d2::Error) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

/// Escapes LIKE wildcards so text matches literally; use with `.escape('\\')`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

diesel::define_sql_function!(
    /// SQL `lower()`, for case-insensitive search on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// A case-insensitive "contains" pattern for a lower-cased column.
pub fn like_pattern(term: &str) -> String {
    format!("%{}%", escape_like(&term.to_lowercase()))
}

pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// The backend type of [`DbConn`], for boxed queries.
pub type DbBackend = <DbConn as diesel::Connection>::Backend;

/// Runs one diesel statement on whichever backend `conn` holds. For the few
/// statements diesel cannot build for both at once, such as multi-row INSERT.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

// Also reachable as `crate::db::per_backend!`, beside the connection it matches on.
pub use crate::per_backend;
