//! The `concord` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::datasets::{run_import, ImportKind};
use crate::db::{Backend, Db};

#[derive(Parser, Debug)]
#[command(name = "concord", version, about = "Concord: find partners, run partnerships and share what works across UK public services.", long_about = None)]
pub struct Cli {
    /// Database URL: sqlite://PATH (default) or postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        env = "CONCORD_DATABASE_URL",
        default_value = "sqlite://concord.db",
        global = true
    )]
    pub database_url: String,

    /// Log format.
    #[arg(
        long,
        env = "CONCORD_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: crate::config::LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server (runs pending migrations first).
    Serve {
        /// Address to listen on. Port 0 picks a free port.
        #[arg(long, env = "CONCORD_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// URL people use to reach this server, for links in emails. Defaults to http://ADDR.
        #[arg(long, env = "CONCORD_PUBLIC_URL")]
        public_url: Option<String>,
        /// Also write outgoing email to this folder as .eml files (development).
        #[arg(long, env = "CONCORD_MAIL_DIR")]
        mail_dir: Option<PathBuf>,
        /// Take each client's address from X-Forwarded-For (only behind a proxy that sets it).
        #[arg(long, env = "CONCORD_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
        /// On SIGTERM, seconds to let requests in flight finish before exiting.
        #[arg(long, env = "CONCORD_SHUTDOWN_TIMEOUT", default_value_t = 20)]
        shutdown_timeout: u64,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create or refresh the demo database: real councils, LGSL services and demo accounts.
    Demo,
    /// Import a CSV file. Atomic: any bad line refuses the whole file. Re-running updates in place.
    Import {
        #[arg(value_enum)]
        kind: ImportKind,
        /// The CSV file to read.
        file: PathBuf,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Copy the database to DEST (SQLite only; for PostgreSQL use pg_dump).
    Backup { dest: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user who can sign in straight away.
    Create {
        #[arg(long)]
        email: String,
        /// Organisation code, e.g. BIR.
        #[arg(long)]
        org: String,
        #[arg(long, value_enum, default_value = "member")]
        role: crate::policy::Role,
        /// Display name (defaults to the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// Password (at least 12 characters). Prefer the environment variable to the flag.
        #[arg(long, env = "CONCORD_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Create an API token for a user and print it (it is shown only once).
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for, so its owner can tell their tokens apart.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::ops::init_tracing(cli.log_format);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn open_db(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url, 8)?;
    db.migrate()?;
    Ok(db)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            addr,
            public_url,
            mail_dir,
            trust_forwarded_for,
            shutdown_timeout,
        } => {
            let db = open_db(&cli.database_url)?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&addr)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
                let local = listener.local_addr()?;
                let public_url = public_url.unwrap_or_else(|| format!("http://{local}"));
                let mut config = crate::config::Config::new(&public_url, mail_dir);
                config.trust_forwarded_for = trust_forwarded_for;
                config.shutdown_timeout = std::time::Duration::from_secs(shutdown_timeout);
                let state = crate::state::AppState::new(db, config);
                println!("Concord is ready at http://{local}/");
                crate::serve(state, listener, crate::ops::shutdown_signal()).await
            })
        }
        Command::Migrate => {
            let db = Db::connect(&cli.database_url, 1)?;
            let applied = db.migrate()?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Demo => {
            let db = open_db(&cli.database_url)?;
            let summary = crate::demo::load(&db)?;
            println!("{summary}");
            Ok(())
        }
        Command::Import { kind, file } => {
            let db = open_db(&cli.database_url)?;
            let cannot_read = |e| anyhow::anyhow!("cannot read {}: {e}", file.display());
            let actor = crate::audit::Actor::system("cli import");
            let report = if kind == ImportKind::Partnerships {
                // The register can be large: read it from the file as it is imported.
                let source = std::fs::File::open(&file).map_err(cannot_read)?;
                crate::datasets::import_partnerships(&db, std::io::BufReader::new(source), &actor)
            } else {
                let text = std::fs::read_to_string(&file).map_err(cannot_read)?;
                run_import(&db, kind, &text, &actor)
            }
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("{}: {report}", file.display());
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    org,
                    role,
                    name,
                    password,
                },
        } => {
            let db = open_db(&cli.database_url)?;
            let user = crate::users::store::create_with_password(
                &db,
                &email,
                name.as_deref(),
                &org,
                role,
                &password,
                &crate::audit::Actor::system("cli"),
            )
            .map_err(|e| anyhow::anyhow!("{}", crate::users::store::describe_error(&e)))?;
            println!("created user {} ({}) in {}", user.email, role.code(), org);
            Ok(())
        }
        Command::User {
            command: UserCommand::Token { email, name },
        } => {
            let db = open_db(&cli.database_url)?;
            let secret = db
                .write_blocking(|c| {
                    let user = crate::auth::tokens::owner_by_email(c, &email)?;
                    crate::auth::tokens::create(c, &user, &name)
                })
                .map_err(|e| anyhow::anyhow!("{email}: {}", e.detail()))?;
            println!("{secret}");
            Ok(())
        }
        Command::Backup { dest } => {
            let db = Db::connect(&cli.database_url, 1)?;
            match db.backend() {
                Backend::Postgres => anyhow::bail!(
                    "backup copies SQLite databases only; for PostgreSQL use pg_dump, for example: pg_dump --format=custom --file=concord.dump \"$CONCORD_DATABASE_URL\""
                ),
                Backend::Sqlite => {
                    anyhow::ensure!(!dest.exists(), "{} already exists; choose a new file name", dest.display());
                    crate::ops::sqlite_backup(&db, &dest)?;
                    println!("backed up to {}", dest.display());
                    Ok(())
                }
            }
        }
    }
}
