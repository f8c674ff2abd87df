//! The `tandem` command: `serve` (the default), `worker`, `migrate`, `create-admin`, `openapi`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use tandem_app::organizations::{CreateOrganization, create_organization};
use tandem_domain::{Email, OrganizationName, Password, Username};
use tandem_server::{Application, Settings, logging, startup};

#[derive(Parser)]
#[command(name = "tandem", version, about = "Tandem team chat server")]
struct Cli {
    /// Configuration file (TOML). Defaults to ./tandem.toml when it exists.
    #[arg(long, env = "TANDEM_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (the default).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 (overrides TANDEM_ADDR and the file).
        #[arg(long)]
        addr: Option<std::net::SocketAddr>,
    },
    /// Run background jobs only (no HTTP), for nodes that do nothing else; stops on SIGINT
    /// or SIGTERM after the jobs in hand.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an organization and its first admin; prints the generated password once.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// The organization's name.
        #[arg(long)]
        org: String,
        /// The admin's username (default: derived from the email).
        #[arg(long)]
        username: Option<String>,
    },
    /// Print the OpenAPI document (or, with --realtime, the WebSocket frame schemas; with
    /// --asyncapi, the real-time API as an AsyncAPI 3 document).
    Openapi {
        #[arg(long)]
        realtime: bool,
        #[arg(long, conflicts_with = "realtime")]
        asyncapi: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { addr: None });
    if let Command::Openapi { realtime, asyncapi } = command {
        if asyncapi {
            let document = serde_json::to_string_pretty(&tandem_realtime::asyncapi::document())
                .context("rendering the AsyncAPI document")?;
            writeln!(std::io::stdout(), "{document}")?;
            return Ok(());
        }
        let document = if realtime {
            tandem_api_types::realtime::schema_document()
        } else {
            tandem_http::openapi_document(tandem_realtime::openapi())
        };
        let document = document
            .to_pretty_json()
            .context("rendering the OpenAPI document")?;
        writeln!(std::io::stdout(), "{document}")?;
        return Ok(());
    }

    let mut settings = Settings::load(cli.config.as_deref())?;
    logging::init(&settings.log)?;
    match command {
        Command::Serve { addr } => {
            if let Some(addr) = addr {
                settings.addr = addr;
            }
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?;
            tracing::info!("tandem stopped");
        }
        Command::Worker => {
            tandem_server::jobs::run_worker_node(&settings).await?;
            tracing::info!("tandem stopped");
        }
        Command::Migrate => {
            startup::open_database(&settings, true).await?;
            tracing::info!("migrations applied");
        }
        Command::CreateAdmin {
            email,
            org,
            username,
        } => create_admin(&settings, &email, &org, username.as_deref()).await?,
        Command::Openapi { .. } => {}
    }
    Ok(())
}

async fn create_admin(
    settings: &Settings,
    email: &str,
    org: &str,
    username: Option<&str>,
) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
    let username_source = username.map_or_else(
        || {
            email
                .local_part()
                .replace(|c: char| !c.is_ascii_alphanumeric(), ".")
        },
        str::to_owned,
    );
    let username = Username::parse(&username_source)
        .map_err(|e| anyhow::anyhow!("--username {e} (got {username_source:?})"))?;
    let name = OrganizationName::parse(org).map_err(|e| anyhow::anyhow!("--org {e}"))?;
    let generated = generate_password();
    let password = Password::parse(&generated, &[])
        .map_err(|e| anyhow::anyhow!("generated password refused: {e}"))?;
    let ctx = startup::build_context(settings).await?.ctx;
    let (organization, user) = create_organization(
        &ctx.auth,
        CreateOrganization {
            name,
            admin_email: email,
            admin_username: username,
            admin_password: password,
        },
    )
    .await
    .context("creating the organization")?;
    let mut out = std::io::stdout();
    writeln!(
        out,
        "Created organization {:?} (id {}) with admin {} <{}>.",
        organization.name.as_str(),
        organization.id,
        user.username,
        user.email
    )?;
    writeln!(
        out,
        "Password (shown once; change it after logging in): {generated}"
    )?;
    Ok(())
}

/// 20 characters from an alphabet without look-alikes: about 115 bits.
fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
