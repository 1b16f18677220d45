use concord::db::Backend;

use crate::common::TestDb;

/// Both backends' migrations must produce the same tables and columns, or a
/// query that works on one will fail on the other.
#[test]
fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    let sqlite = TestDb::new(Backend::Sqlite);
    let postgres = TestDb::new(Backend::Postgres);
    let a = sqlite.db.describe_tables().unwrap();
    let b = postgres.db.describe_tables().unwrap();
    assert!(
        a.iter()
            .any(|(t, cols)| t == "organisations" && cols.contains(&"gss_code".to_string())),
        "{a:?}"
    );
    assert_eq!(a, b);
}

#[test]
fn migrations_are_idempotent_and_sqlite_uses_wal_and_foreign_keys() {
    let t = TestDb::new(crate::common::backend());
    assert!(
        t.db.migrate().unwrap().is_empty(),
        "second run applies nothing"
    );
    if t.db.backend() == Backend::Sqlite {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Mode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        #[derive(QueryableByName)]
        struct Fk {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            foreign_keys: i32,
        }
        let mode: Mode =
            t.db.read_blocking(|c| Ok(diesel::sql_query("PRAGMA journal_mode").get_result(c)?))
                .unwrap();
        let fk: Fk =
            t.db.read_blocking(|c| Ok(diesel::sql_query("PRAGMA foreign_keys").get_result(c)?))
                .unwrap();
        assert_eq!(mode.journal_mode, "wal");
        assert_eq!(fk.foreign_keys, 1);
    }
}
