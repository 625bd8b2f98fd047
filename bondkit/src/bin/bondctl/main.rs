//! bondctl: Bondsmith from a terminal. Exit codes: 0 ok, 2 invalid input,
//! 3 NetworkManager refused or failed, 4 not found.

mod args;
mod output;
mod status;

use args::{Cli, Command, CreateArgs, EditArgs};
use bondkit::export::nmcli;
use bondkit::model::{BondConfig, Ipv4Config, Ipv6Config, NmVersion, OPTIONS};
use bondkit::nm::{ApplyOptions, BondEdit, NmClient, NmError};
use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.message().lines() {
                eprintln!("bondctl: {line}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn progress(quiet: bool) -> impl Fn(&str) + Send + Sync {
    move |step: &str| {
        if !quiet {
            eprintln!("· {step}…");
        }
    }
}

async fn run(cli: Cli) -> Result<(), NmError> {
    match cli.command {
        Command::Create(a) => create(a).await,
        Command::List { json } => {
            let nm = NmClient::system().await?;
            output::bonds(&nm.list_bonds().await?, json);
            Ok(())
        }
        Command::Show { name, json } => {
            let nm = NmClient::system().await?;
            output::bond(&nm.find_bond(&name).await?, json);
            Ok(())
        }
        Command::Edit(a) => edit(a).await,
        Command::Delete { name, json } => {
            let nm = NmClient::system().await?;
            let removed = nm.delete_bond(&name, &progress(json)).await?;
            output::deleted(&name, &removed, json);
            Ok(())
        }
        Command::Up { name, timeout } => {
            let nm = NmClient::system().await?;
            nm.activate(&name, Duration::from_secs(timeout), &progress(false))
                .await
        }
        Command::Devices { json } => {
            let nm = NmClient::system().await?;
            output::devices(&nm.devices().await?, json);
            Ok(())
        }
        Command::Status { name, json, watch } => status::run(&name, json, watch).await,
        Command::Options { mode, json } => {
            output::options(OPTIONS, mode.as_deref(), json).map_err(NmError::Invalid)
        }
    }
}

fn config_from(a: &CreateArgs) -> Result<BondConfig, NmError> {
    let inv = NmError::Invalid;
    let mut cfg = BondConfig::new(&a.name, &a.mode);
    for o in &a.option {
        let (k, v) = bondkit::model::validate::parse_assignment(o).map_err(inv)?;
        if k == "mode" {
            return Err(inv("Give the mode with --mode, not as an option.".into()));
        }
        cfg.options.insert(k, v);
    }
    cfg.ports = a.port.clone();
    if let Some(v) = &a.ipv4 {
        cfg.ipv4 = Ipv4Config::parse(v).map_err(inv)?;
    }
    if let Some(v) = &a.ipv6 {
        cfg.ipv6 = Ipv6Config::parse(v).map_err(inv)?;
    }
    cfg.gateway = a
        .gateway
        .as_deref()
        .map(args::parse_ip)
        .transpose()
        .map_err(inv)?;
    cfg.dns = a
        .dns
        .iter()
        .map(|d| args::parse_ip(d))
        .collect::<Result<_, _>>()
        .map_err(inv)?;
    cfg.mtu = a.mtu;
    cfg.mac = a.mac.clone();
    Ok(cfg)
}

async fn create(a: CreateArgs) -> Result<(), NmError> {
    let cfg = config_from(&a)?;
    if a.dry_run {
        // Only Bondsmith's own validation runs; NM is asked for nothing but its version, and
        // only when it is there, so that version-gated options are judged right.
        let version = match &a.nm_version {
            Some(v) => NmVersion::parse(v).ok_or_else(|| {
                NmError::Invalid(format!(
                    "'{v}' is not a NetworkManager version such as 1.42.4."
                ))
            })?,
            None => match NmClient::system().await {
                Ok(nm) => nm.version(),
                Err(_) => NmVersion::NEWEST,
            },
        };
        let verdict = cfg.check(version);
        let commands = nmcli::create_commands(&cfg, &verdict.normalized, !a.no_activate);
        return output::dry_run(&verdict, &commands, a.json);
    }
    let nm = NmClient::system().await?;
    let opts = ApplyOptions {
        activate: !a.no_activate,
        activation_timeout: Duration::from_secs(a.timeout),
        in_memory: a.in_memory,
        ..Default::default()
    };
    let report = nm.create_bond(&cfg, &opts, &progress(a.json)).await?;
    output::applied("Created", &report, a.json);
    Ok(())
}

async fn edit(a: EditArgs) -> Result<(), NmError> {
    let inv = NmError::Invalid;
    let mut e = BondEdit {
        mode: a.mode.clone(),
        remove_options: a.remove_option.clone(),
        ..Default::default()
    };
    for o in &a.option {
        e.set_options
            .push(bondkit::model::validate::parse_assignment(o).map_err(inv)?);
    }
    e.add_ports = a.add_port.clone();
    e.remove_ports = a.remove_port.clone();
    e.ipv4 = a
        .ipv4
        .as_deref()
        .map(Ipv4Config::parse)
        .transpose()
        .map_err(inv)?;
    e.ipv6 = a
        .ipv6
        .as_deref()
        .map(Ipv6Config::parse)
        .transpose()
        .map_err(inv)?;
    e.gateway = a
        .gateway
        .as_deref()
        .map(|g| {
            if g == "none" {
                Ok(None)
            } else {
                args::parse_ip(g).map(Some)
            }
        })
        .transpose()
        .map_err(inv)?;
    if !a.dns.is_empty() {
        e.dns = Some(
            a.dns
                .iter()
                .filter(|d| *d != "none")
                .map(|d| args::parse_ip(d))
                .collect::<Result<_, _>>()
                .map_err(inv)?,
        );
    }
    e.mtu = a
        .mtu
        .as_deref()
        .map(|m| {
            if m == "auto" {
                Ok(None)
            } else {
                m.parse().map(Some).map_err(|_| {
                    format!("'{m}' is not an MTU; give a number such as 1500, or auto.")
                })
            }
        })
        .transpose()
        .map_err(inv)?;
    e.mac = a.mac.as_deref().map(|m| {
        if m == "none" {
            None
        } else {
            Some(m.to_string())
        }
    });
    let nm = NmClient::system().await?;
    let opts = ApplyOptions {
        activate: !a.no_activate,
        activation_timeout: Duration::from_secs(a.timeout),
        ..Default::default()
    };
    let report = nm.edit_bond(&a.name, &e, &opts, &progress(a.json)).await?;
    output::applied("Updated", &report, a.json);
    Ok(())
}
