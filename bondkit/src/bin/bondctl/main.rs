//! bondctl: Bondsmith from a terminal. Exit codes: 0 ok, 2 invalid input,
//! 3 NetworkManager refused or failed, 4 not found.

mod args;
mod draft;
mod export;
mod failover;
mod monitor;
mod output;
mod status;

use args::{Cli, Command, CreateArgs, EditArgs};
use bondkit::export::nmcli;
use bondkit::model::ip::parse_ip;
use bondkit::model::{
    form, BondConfig, BondEdit, Family, IpAddress, NmVersion, PortSettings, OPTIONS,
};
use bondkit::nm::{ApplyOptions, NmClient, NmError};
use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Command::FailoverTest(a) = cli.command {
        return rt.block_on(failover::run(a));
    }
    if let Command::Monitor { json } = cli.command {
        return rt.block_on(monitor::run(json));
    }
    if let Command::Check(a) = cli.command {
        return draft::check(a);
    }
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.message().lines() {
                eprintln!("bondctl: {line}");
            }
            if matches!(e.cause(), NmError::Denied(_)) {
                eprintln!("bondctl: From a terminal, run bondctl as root (for example with sudo).");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

pub(crate) fn progress(quiet: bool) -> impl Fn(&str) + Send + Sync {
    // For the kill -9 tests (nm_lossless.rs): pause after announcing each step, so that a
    // kill lands between two steps.
    let pause = std::env::var("BONDCTL_STEP_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis);
    move |step: &str| {
        if !quiet {
            eprintln!("· {step}…");
        }
        if let Some(p) = pause {
            std::thread::sleep(p);
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
        Command::FailoverTest(_) | Command::Monitor { .. } => unreachable!("handled in main"),
        Command::Export(a) => export::run(a).await,
        Command::Import(a) => draft::import(a).await,
        Command::Check(_) => unreachable!("handled in main"),
        Command::Options { mode, json } => {
            output::options(OPTIONS, mode.as_deref(), json).map_err(NmError::Invalid)
        }
    }
}

fn inv(m: bondkit::model::Message) -> NmError {
    NmError::Invalid(m.to_string())
}

fn config_from(a: &CreateArgs) -> Result<BondConfig, NmError> {
    let mut cfg = BondConfig::new(&a.name, &a.mode);
    for o in &a.option {
        let (k, v) = bondkit::model::validate::parse_assignment(o).map_err(NmError::Invalid)?;
        if k == "mode" {
            return Err(NmError::Invalid(
                "Give the mode with --mode, not as an option.".into(),
            ));
        }
        cfg.options.insert(k, v);
    }
    for p in &a.port {
        let (port, settings) = PortSettings::parse_port(p).map_err(inv)?;
        if !settings.is_empty() {
            cfg.port_settings.insert(port.clone(), settings);
        }
        cfg.ports.push(port);
    }
    for (f, given) in [(Family::V4, &a.ipv4), (Family::V6, &a.ipv6)] {
        if let Some(v) = given {
            let (method, addresses) = form::parse_ip_setting(v, f).map_err(inv)?;
            let fam = cfg.family_mut(f);
            fam.method = method;
            fam.addresses = addresses.unwrap_or_default();
        }
    }
    for g in &a.gateway {
        let g = parse_ip(g).map_err(inv)?;
        cfg.family_mut(Family::of(&g)).gateway = Some(g);
    }
    for d in &a.dns {
        let d = parse_ip(d).map_err(inv)?;
        cfg.family_mut(Family::of(&d)).dns.push(d);
    }
    cfg.mtu = a.mtu;
    cfg.mac = a.mac.as_deref().and_then(form::parse_mac);
    Ok(cfg)
}

async fn dry_run_version(given: Option<&str>) -> Result<NmVersion, NmError> {
    // Only Bondsmith's own validation runs; NM is asked for nothing but its version, and
    // only when it is there, so that version-gated options are judged right.
    Ok(match given {
        Some(v) => NmVersion::parse(v).ok_or_else(|| {
            NmError::Invalid(format!(
                "'{v}' is not a NetworkManager version such as 1.42.4."
            ))
        })?,
        None => match NmClient::system().await {
            Ok(nm) => nm.version(),
            Err(_) => NmVersion::NEWEST,
        },
    })
}

async fn create(a: CreateArgs) -> Result<(), NmError> {
    let mut cfg = config_from(&a)?;
    let mut adoption = None;
    if let Some(port) = &a.adopt {
        if a.ipv4.is_some() || a.ipv6.is_some() || !a.gateway.is_empty() || !a.dns.is_empty() {
            return Err(NmError::Invalid(format!(
                "--adopt {port} takes the IP settings of {port}'s connection; leave out --ipv4, --ipv6, --gateway and --dns."
            )));
        }
        let nm = NmClient::system().await?;
        let found = nm.adoption(port).await?;
        found.apply_to(&mut cfg);
        adoption = Some(found);
    }
    if a.dry_run {
        let version = dry_run_version(a.nm_version.as_deref()).await?;
        let verdict = cfg.check(version);
        let commands = nmcli::create_commands(&cfg, &verdict.normalized, !a.no_activate);
        return output::dry_run(&verdict, &commands, a.json);
    }
    let nm = NmClient::system().await?;
    let opts = ApplyOptions {
        activate: !a.no_activate,
        activation_timeout: Duration::from_secs(a.timeout),
        in_memory: a.in_memory,
        confirm_timeout: Duration::from_secs(a.timeout + 60),
        adopt: adoption.clone(),
    };
    let Some(adoption) = adoption else {
        let report = nm.create_bond(&cfg, &opts, &progress(a.json)).await?;
        output::applied("Created", &report, a.json);
        return Ok(());
    };
    take_over(&nm, &cfg, &opts, &adoption, a.json).await
}

/// `create --adopt`: bondkit measures the outage against the gateway and rolls back when
/// the gateway does not answer again; this keeps the change and says how long it took.
async fn take_over(
    nm: &NmClient,
    cfg: &BondConfig,
    opts: &ApplyOptions,
    adoption: &bondkit::nm::Adoption,
    json: bool,
) -> Result<(), NmError> {
    let pending = nm.create_bond_pending(cfg, opts, &progress(json)).await?;
    let report = nm.keep(pending).await?;
    let Some(outage) = report.outage.clone() else {
        return Err(NmError::Refused("The take-over was not measured.".into()));
    };
    let gateway = outage.target;
    output::applied("Created", &report, json);
    if json {
        return Ok(());
    }
    println!(
        "{} took over {}'s connection \"{}\"{}; the connection to {gateway} was gone for {:.0} ms ({} of {} probes lost).",
        cfg.name,
        adoption.port,
        adoption.profile,
        if adoption.dhcp { " with its MAC, so DHCP keeps the lease" } else { "" },
        outage.longest_ms,
        outage.lost,
        outage.sent
    );
    Ok(())
}

fn edit_from(a: &EditArgs) -> Result<BondEdit, NmError> {
    let mut e = BondEdit {
        mode: a.mode.clone(),
        remove_options: a.remove_option.clone(),
        remove_ports: a.remove_port.clone(),
        ..Default::default()
    };
    for p in a.add_port.iter().chain(&a.port_setting) {
        let (port, settings) = PortSettings::parse_port(p).map_err(inv)?;
        if a.add_port.contains(p) {
            e.add_ports.push(port.clone());
        }
        if !settings.is_empty() {
            e.port_settings.push((port, settings));
        }
    }
    for o in &a.option {
        e.set_options
            .push(bondkit::model::validate::parse_assignment(o).map_err(NmError::Invalid)?);
    }
    for (f, given) in [(Family::V4, &a.ipv4), (Family::V6, &a.ipv6)] {
        if let Some(v) = given {
            let (method, addresses) = form::parse_ip_setting(v, f).map_err(inv)?;
            let fe = e.family_mut(f);
            fe.method = Some(method);
            fe.addresses = addresses;
        }
    }
    for (list, add) in [(&a.add_address, true), (&a.remove_address, false)] {
        for s in list {
            let f = if s.contains(':') {
                Family::V6
            } else {
                Family::V4
            };
            let addr = IpAddress::parse(s, f).map_err(inv)?;
            let fe = e.family_mut(f);
            if add {
                fe.add_addresses.push(addr);
            } else {
                fe.remove_addresses.push(addr);
            }
        }
    }
    for g in &a.gateway {
        match form::parse_gateway(g).map_err(inv)? {
            Some(g) => e.set_gateway(g),
            None => {
                e.ipv4.gateway = Some(None);
                e.ipv6.gateway = Some(None);
            }
        }
    }
    if !a.dns.is_empty() {
        let servers: Vec<std::net::IpAddr> = a
            .dns
            .iter()
            .filter(|d| *d != "none")
            .map(|d| parse_ip(d))
            .collect::<Result<_, _>>()
            .map_err(inv)?;
        e.set_dns(&servers);
    }
    e.mtu = a
        .mtu
        .as_deref()
        .map(form::parse_mtu)
        .transpose()
        .map_err(inv)?;
    e.mac = a.mac.as_deref().map(form::parse_mac);
    Ok(e)
}

async fn edit(a: EditArgs) -> Result<(), NmError> {
    let e = edit_from(&a)?;
    let nm = NmClient::system().await?;
    if a.dry_run {
        let plan = nm.plan_edit(&a.name, &e, !a.no_activate).await?;
        output::edit_plan(&plan, a.json);
        return Ok(());
    }
    let opts = ApplyOptions {
        activate: !a.no_activate,
        activation_timeout: Duration::from_secs(a.timeout),
        ..Default::default()
    };
    let report = nm.edit_bond(&a.name, &e, &opts, &progress(a.json)).await?;
    let verb = if report.path == bondkit::model::ApplyPath::Nothing {
        "Unchanged"
    } else {
        "Updated"
    };
    output::applied(verb, &report, a.json);
    Ok(())
}
