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

/// How email leaves: by SMTP, or (without `--smtp-url`) to the log and a folder.
#[derive(clap::Args, Debug, Clone)]
pub struct MailArgs {
    /// SMTP server: smtp://USER:PASS@HOST:587 (STARTTLS), smtps://USER:PASS@HOST:465
    /// (TLS), or smtp://HOST:25?tls=none for a trusted local relay.
    #[arg(long, env = "CONCORD_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The From address of Concord's email.
    #[arg(
        long,
        env = "CONCORD_MAIL_FROM",
        default_value = "Concord <no-reply@concord.localhost>"
    )]
    mail_from: String,
    /// Without --smtp-url, also write outgoing email to this folder as .eml files.
    #[arg(long, env = "CONCORD_MAIL_DIR")]
    mail_dir: Option<PathBuf>,
    /// Seconds a sender holds a message before another may send it again
    /// (after a crash between sending and marking it sent).
    #[arg(long, env = "CONCORD_MAIL_LEASE_SECONDS", default_value_t = 300)]
    mail_lease_seconds: u64,
}

impl MailArgs {
    fn apply(self, config: &mut crate::config::Config) {
        config.smtp_url = self.smtp_url;
        config.mail_from = self.mail_from;
        config.mail_dir = self.mail_dir;
        config.mail_lease = std::time::Duration::from_secs(self.mail_lease_seconds);
    }
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
        #[command(flatten)]
        mail: MailArgs,
        /// Leave jobs and email to `concord worker` processes.
        #[arg(long, env = "CONCORD_NO_WORKER")]
        no_worker: bool,
        /// Take each client's address from X-Forwarded-For (only behind a proxy that sets it).
        #[arg(long, env = "CONCORD_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
        /// On SIGTERM, seconds to let requests in flight finish before exiting.
        #[arg(long, env = "CONCORD_SHUTDOWN_TIMEOUT", default_value_t = 20)]
        shutdown_timeout: u64,
    },
    /// Run jobs (reminders, digests) and send email, without serving pages.
    /// Any number of workers and servers can share one PostgreSQL database.
    Worker {
        /// URL people use to reach the server, for links in emails.
        #[arg(
            long,
            env = "CONCORD_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        #[command(flatten)]
        mail: MailArgs,
        /// Run what is due and send what is waiting once, then exit.
        #[arg(long)]
        once: bool,
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
    /// Queue a job to run now (a running server or worker takes it within
    /// seconds), e.g. `concord queue notifications.digest`.
    Queue {
        /// One of the job kinds: notifications.digest, partnerships.reminders.
        kind: String,
    },
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
    // Needs written before matching terms were stored get them now.
    crate::needs::matches::fill_missing(&db)?;
    Ok(db)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            addr,
            public_url,
            mail,
            no_worker,
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
                let mut config = crate::config::Config::new(&public_url, None);
                mail.apply(&mut config);
                config.trust_forwarded_for = trust_forwarded_for;
                config.shutdown_timeout = std::time::Duration::from_secs(shutdown_timeout);
                let state = crate::state::AppState::new(db, config);
                if !no_worker {
                    crate::start_background(&state)?;
                }
                println!("Concord is ready at http://{local}/");
                crate::serve(state, listener, crate::ops::shutdown_signal()).await
            })
        }
        Command::Worker {
            public_url,
            mail,
            once,
        } => {
            let db = open_db(&cli.database_url)?;
            let mut config = crate::config::Config::new(&public_url, None);
            mail.apply(&mut config);
            let state = crate::state::AppState::new(db, config);
            if once {
                let (jobs, mail) = crate::run_background_once(&state)?;
                println!(
                    "{jobs} job(s) run; {} email(s) sent, {} to retry, {} failed",
                    mail.sent, mail.retrying, mail.failed
                );
                return Ok(());
            }
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async move {
                crate::start_background(&state)?;
                println!("Concord worker running");
                crate::ops::shutdown_signal().await;
                Ok(())
            })
        }
        Command::Queue { kind } => {
            let known: Vec<&str> = crate::JOBS.iter().map(|k| k.name).collect();
            if !known.contains(&kind.as_str()) {
                anyhow::bail!(
                    "there is no job called '{kind}'; the jobs are {}",
                    known.join(", ")
                );
            }
            let db = open_db(&cli.database_url)?;
            let id = db.write_blocking(|c| {
                crate::jobs::enqueue(c, &kind, &serde_json::json!({}), crate::db::now(), None)
            })?;
            println!(
                "Queued job {} ({kind}); a running server or worker runs it within seconds",
                id.unwrap_or_default()
            );
            Ok(())
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
            .map_err(|e| anyhow::anyhow!("{}", e.describe()))?;
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
