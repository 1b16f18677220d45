//! The `concord` command line, run as a user would.

use std::process::Command;

fn concord(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .env_remove("CONCORD_DATABASE_URL")
        .output()
        .expect("run concord");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_the_commands() {
    let (ok, out, _) = concord(&["--help"]);
    assert!(ok);
    for command in ["serve", "migrate", "demo", "import", "user", "backup"] {
        assert!(out.contains(command), "{command} in --help");
    }
}

#[test]
fn imports_users_and_backups_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let (ok, out, err) = concord(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("migration(s) applied"));

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "local-authority-code,overlap\nBIR,SOL\n").unwrap();
    let (ok, _, err) = concord(&[
        "import",
        "neighbours",
        bad.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok, "an unknown council refuses the file");
    assert!(err.contains("line 2: unknown council code 'BIR'"), "{err}");

    let councils = concat!(env!("CARGO_MANIFEST_DIR"), "/data/uk_local_authorities.csv");
    let (ok, out, err) = concord(&["import", "councils", councils, "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("470 created, 0 updated, 0 unchanged"), "{out}");

    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args([
            "user",
            "create",
            "--email",
            "Someone@Leeds.example",
            "--org",
            "LDS",
            "--role",
            "org_admin",
            "--database-url",
            &url,
        ])
        .env("CONCORD_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("created user someone@leeds.example (org_admin) in LDS"));
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args([
            "user",
            "create",
            "--email",
            "x@leeds.example",
            "--org",
            "ZZZ",
            "--database-url",
            &url,
        ])
        .env("CONCORD_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("12 characters or more"), "{err}");

    let backup = dir.path().join("backup.db");
    let (ok, out, err) = concord(&["backup", backup.to_str().unwrap(), "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("backed up to"));
    // The copy is a working database with the same data.
    let copy = concord::db::Db::connect(&format!("sqlite://{}", backup.display()), 1).unwrap();
    use diesel::prelude::*;
    let n: i64 = copy
        .read_blocking(|c| {
            Ok(concord::db::schema::organisations::table
                .count()
                .get_result(c)?)
        })
        .unwrap();
    assert_eq!(n, 470);
    let (ok, _, err) = concord(&["backup", backup.to_str().unwrap(), "--database-url", &url]);
    assert!(
        !ok && err.contains("already exists"),
        "never overwrites: {err}"
    );
    let (ok, _, err) = concord(&[
        "backup",
        "x.db",
        "--database-url",
        "postgres://postgres@127.0.0.1:5432/postgres",
    ]);
    assert!(!ok && err.contains("pg_dump"), "{err}");
}
