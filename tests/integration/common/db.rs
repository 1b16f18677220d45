//! Test databases. Each test gets its own: a copy of a template SQLite file,
//! or a PostgreSQL database created from a template database. The template
//! (migrated, with the reference data and demo accounts) is built once per
//! build of the tests, by whichever test process gets there first, under a
//! lock, so a test costs a file copy or a CREATE DATABASE, not an import.

use std::path::PathBuf;

use concord::db::{Backend, Db};
use diesel::prelude::*;

/// Which backend this run uses: `CONCORD_TEST_DATABASE=postgres` for PostgreSQL.
pub fn backend() -> Backend {
    match std::env::var("CONCORD_TEST_DATABASE").as_deref() {
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

fn postgres_admin_url() -> String {
    std::env::var("CONCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_url_for(name: &str) -> String {
    let base = postgres_admin_url();
    format!(
        "{}/{name}",
        base.rsplit_once('/').map(|(b, _)| b).unwrap_or(&base)
    )
}

/// Identifies this build of the tests: a new build gets a fresh template,
/// so a changed migration or data file is never tested against a stale one.
fn build_key() -> String {
    let exe = std::env::current_exe().expect("the test executable");
    let meta = std::fs::metadata(&exe).expect("the test executable's metadata");
    let modified = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let text = format!("{}:{}:{modified}", exe.display(), meta.len());
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{hash:016x}")
}

fn load_reference_data(db: &Db) {
    concord::demo::load_with(db, false).expect("reference data and demo accounts");
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// Rows in a table, by SQL.
    pub fn count(&self, sql_table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sql = format!("SELECT COUNT(*) AS n FROM {sql_table}");
        self.db
            .read_blocking(|c| Ok(diesel::sql_query(&sql).get_result::<N>(c)?.n))
            .unwrap()
    }

    /// An empty, migrated database.
    pub fn new(backend: Backend) -> TestDb {
        TestDb::create(backend, false)
    }

    /// A migrated database with the reference data and the demo accounts.
    pub fn with_reference_data(backend: Backend) -> TestDb {
        TestDb::create(backend, true)
    }

    /// A database with nothing in it at all, not even the tables.
    pub fn empty_database() -> TestDb {
        let test_db = TestDb::new(backend());
        test_db
            .db
            .write_blocking(|c| {
                use diesel::connection::SimpleConnection;
                match backend() {
                    Backend::Postgres => {
                        c.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")?
                    }
                    Backend::Sqlite => unreachable!("only PostgreSQL databases are emptied"),
                }
                Ok(())
            })
            .expect("empty the database");
        test_db
    }

    fn create(backend: Backend, reference_data: bool) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                if reference_data {
                    std::fs::copy(sqlite_template(), &path).expect("copy the template");
                }
                let url = format!("sqlite://{}", path.display());
                let db = Db::connect(&url, 4).expect("open SQLite");
                db.migrate().expect("migrate SQLite");
                TestDb {
                    url,
                    db,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("concord_test_{}_{}", std::process::id(), rand_suffix());
                let mut admin = admin_connection();
                let sql = if reference_data {
                    format!(
                        "CREATE DATABASE {name} TEMPLATE {} STRATEGY FILE_COPY",
                        postgres_template()
                    )
                } else {
                    format!("CREATE DATABASE {name}")
                };
                diesel::sql_query(sql)
                    .execute(&mut admin)
                    .expect("create test database");
                let url = postgres_url_for(&name);
                let db = Db::connect(&url, 4).expect("open PostgreSQL");
                db.migrate().expect("migrate PostgreSQL");
                TestDb {
                    url,
                    db,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut admin) = diesel::PgConnection::establish(&postgres_admin_url()) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

fn admin_connection() -> diesel::PgConnection {
    diesel::PgConnection::establish(&postgres_admin_url())
        .expect("connect to PostgreSQL (is it running on 127.0.0.1:5432?)")
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The SQLite template for this build, made if it is not there yet.
fn sqlite_template() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test-templates");
    std::fs::create_dir_all(&dir).expect("template folder");
    let path = dir.join(format!("sqlite-{}.db", build_key()));
    if path.exists() {
        return path;
    }
    let lock = std::fs::File::create(dir.join("sqlite.lock")).expect("template lock file");
    lock.lock().expect("lock the template folder");
    if !path.exists() {
        // Older templates belong to older builds.
        for old in std::fs::read_dir(&dir).expect("template folder").flatten() {
            if old.file_name().to_string_lossy().starts_with("sqlite-") {
                let _ = std::fs::remove_file(old.path());
            }
        }
        let building = dir.join("building.db");
        let _ = std::fs::remove_file(&building);
        {
            let db = Db::connect(&format!("sqlite://{}", building.display()), 1)
                .expect("open the template");
            db.migrate().expect("migrate the template");
            load_reference_data(&db);
            db.read_blocking(|c| {
                use diesel::connection::SimpleConnection;
                // Everything into the main file, so one file copy is the whole database.
                c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")?;
                Ok(())
            })
            .expect("checkpoint the template");
        }
        std::fs::rename(&building, &path).expect("publish the template");
    }
    path
}

/// The PostgreSQL template database for this build, made if it is not there
/// yet. Its name ends with when it was made, so old ones can be cleared
/// without touching another checkout's current one.
fn postgres_template() -> String {
    let prefix = format!("concord_template_{}_", build_key());
    let mut admin = admin_connection();
    if let Some(name) = template_names(&mut admin)
        .into_iter()
        .find(|n| n.starts_with(&prefix))
    {
        return name;
    }
    // One builder at a time, across every test process.
    diesel::sql_query("SELECT pg_advisory_lock(7400441)")
        .execute(&mut admin)
        .expect("template lock");
    let name = match template_names(&mut admin)
        .into_iter()
        .find(|n| n.starts_with(&prefix))
    {
        Some(name) => name,
        None => build_postgres_template(&mut admin, &prefix),
    };
    diesel::sql_query("SELECT pg_advisory_unlock(7400441)")
        .execute(&mut admin)
        .expect("template unlock");
    name
}

fn build_postgres_template(admin: &mut diesel::PgConnection, prefix: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let building = format!("concord_building_{}", build_key());
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
        .execute(admin)
        .expect("drop a half-built template");
    diesel::sql_query(format!("CREATE DATABASE {building}"))
        .execute(admin)
        .expect("create the template");
    {
        let db = Db::connect(&postgres_url_for(&building), 1).expect("open the template");
        db.migrate().expect("migrate the template");
        load_reference_data(&db);
    }
    let name = format!("{prefix}{now}");
    diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
        .execute(admin)
        .expect("publish the template");
    // Templates of builds more than a day old are of no use to anyone.
    for old in template_names(admin) {
        let made: u64 = old
            .rsplit('_')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if old != name && made + 86_400 < now {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)"))
                .execute(admin);
        }
    }
    name
}

fn template_names(admin: &mut diesel::PgConnection) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    diesel::sql_query(
        "SELECT datname::text AS datname FROM pg_database WHERE datname LIKE 'concord_template_%'",
    )
    .load::<Name>(admin)
    .expect("list template databases")
    .into_iter()
    .map(|n| n.datname)
    .collect()
}
