//! Imports are strict and atomic: a bad line refuses the whole file with its
//! line number, and nothing from it is written.

use concord::audit::Actor;
use concord::datasets::{run_import as run, ImportKind};

use crate::common::{backend, TestDb};

fn actor() -> Actor {
    Actor::system("test")
}

const REGISTER: &str = include_str!("../../data/uk_local_authorities.csv");

fn count(t: &TestDb, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    t.db.read_blocking(|c| {
        Ok(
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                .get_result::<N>(c)?
                .n,
        )
    })
    .unwrap()
}

#[test]
fn a_bad_line_refuses_the_whole_file_and_writes_nothing() {
    let t = TestDb::new(backend());
    // Break line 100 of the real register: everything before it is fine.
    let mut lines: Vec<String> = REGISTER.lines().map(str::to_string).collect();
    let rest = lines[99].split_once(',').unwrap().1.to_string();
    lines[99] = format!("b@d,{rest}");
    let broken = lines.join("\n");
    let err = run(&t.db, ImportKind::Councils, &broken, &actor()).unwrap_err();
    assert_eq!(err.line, Some(100), "{err}");
    assert_eq!(count(&t, "organisations"), 0);
    assert_eq!(count(&t, "audit_log"), 0);
}

#[test]
fn reimporting_updates_in_place() {
    let t = TestDb::new(backend());
    let first = run(&t.db, ImportKind::Councils, REGISTER, &actor()).unwrap();
    assert_eq!((first.created, first.updated, first.unchanged), (470, 0, 0));
    let again = run(&t.db, ImportKind::Councils, REGISTER, &actor()).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 470));
    let edited = REGISTER.replace(
        "Birmingham City Council,Birmingham,",
        "Birmingham City Council,Brum,",
    );
    let third = run(&t.db, ImportKind::Councils, &edited, &actor()).unwrap();
    assert_eq!((third.created, third.updated, third.unchanged), (0, 1, 469));
    assert_eq!(count(&t, "organisations"), 470);
    // One audit row per import that changed something.
    assert_eq!(count(&t, "audit_log"), 2);
}

#[test]
fn files_that_reference_unknown_councils_are_refused_with_the_line() {
    let t = TestDb::new(backend());
    run(&t.db, ImportKind::Councils, REGISTER, &actor()).unwrap();
    let err = run(
        &t.db,
        ImportKind::Neighbours,
        "local-authority-code,overlap\nBIR,SOL|DUD\nZZZ,BIR\n",
        &actor(),
    )
    .unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err.message.contains("unknown council code 'ZZZ'"), "{err}");
    let err = run(
        &t.db,
        ImportKind::Neighbours,
        "local-authority-code,overlap\nBIR,SOL|QQQ\n",
        &actor(),
    )
    .unwrap_err();
    assert!(err.message.contains("'QQQ'"));
    assert_eq!(count(&t, "organisation_neighbours"), 0);

    let err = run(&t.db, ImportKind::Websites, "gss,homepage_url,name\nE08000025,https://www.birmingham.gov.uk/,Birmingham\nE99999999,https://x.example/,Nowhere\n", &actor())
        .unwrap_err();
    assert_eq!(err.line, Some(3));
    let err = run(
        &t.db,
        ImportKind::Websites,
        "gss,homepage_url,name\nE08000025,ftp://x,Birmingham\n",
        &actor(),
    )
    .unwrap_err();
    assert!(err.message.contains("not a web address"));

    let err = run(
        &t.db,
        ImportKind::ServiceTiers,
        "LGSL,Description,Providing Tier\n524,Bins,weekly\n",
        &actor(),
    )
    .unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(err.message.contains("'Providing Tier' is 'weekly'"));
    let err = run(
        &t.db,
        ImportKind::Services,
        "Identifier,Label,Description\n1,A,\n1,B,\n",
        &actor(),
    )
    .unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err
        .message
        .contains("duplicate Identifier '1' (first seen on line 2)"));
    let err = run(
        &t.db,
        ImportKind::Functions,
        "Identifier,Label,Parent identifiers\n2,Child,1\n",
        &actor(),
    )
    .unwrap_err();
    assert!(err
        .message
        .contains("names parent 1, which is not in the file"));
    assert_eq!(count(&t, "lgsl_services"), 0);
}

#[test]
fn the_demo_loads_every_shipped_file_and_is_idempotent() {
    let t = TestDb::new(backend());
    concord::demo::load(&t.db).unwrap();
    let summary = concord::demo::load(&t.db).unwrap();
    assert!(
        summary.contains("uk_local_authorities.csv: 0 created, 0 updated, 470 unchanged"),
        "{summary}"
    );
    assert!(summary.contains("demo accounts: 0 created, 5 already there"));
    assert_eq!(
        count(&t, "organisations"),
        471,
        "470 from the register and the LGA, home of the demo platform admin"
    );
    assert_eq!(count(&t, "lgsl_services"), 1520);
    assert_eq!(count(&t, "lgsl_functions"), 113);
    assert_eq!(count(&t, "users"), 5);
    assert_eq!(count(&t, "partnerships"), 5, "demo partnerships load once");
    assert!(summary.contains("demo partnerships: 0 created"));
}
