//! How bondctl prints: aligned text for people, JSON for scripts.

use bondkit::model::ApplyPath;
use bondkit::model::{BondMode, OptionSpec, ValueKind, Verdict};
use bondkit::nm::{ApplyReport, BondProfile, DeviceInfo, EditPlan, NmError};
use serde_json::json;

fn table(rows: Vec<Vec<String>>) {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}

fn print_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(v).expect("serializable"));
}

pub fn bonds(bonds: &[BondProfile], json: bool) {
    if json {
        return print_json(&bonds);
    }
    if bonds.is_empty() {
        println!("No bonds. Create one with: bondctl create bond0 --mode active-backup --port eno1 --port eno2");
        return;
    }
    let mut rows = vec![vec![
        "NAME".into(),
        "MODE".into(),
        "PORTS".into(),
        "STATE".into(),
    ]];
    for b in bonds {
        rows.push(vec![
            b.name().to_string(),
            b.settings.options.get("mode").cloned().unwrap_or_default(),
            b.ports
                .iter()
                .map(|p| p.interface.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            b.device_state.clone().unwrap_or_else(|| "inactive".into()),
        ]);
    }
    table(rows);
}

pub fn bond(b: &BondProfile, json: bool) {
    if json {
        return print_json(b);
    }
    let s = &b.settings;
    println!("{} (profile {}, {})", s.interface, s.id, s.uuid);
    let mut state = b.device_state.clone().unwrap_or_else(|| "inactive".into());
    if b.external {
        state.push_str(", made outside NetworkManager (read-only)");
    }
    if b.in_memory {
        state.push_str(", in memory only");
    }
    println!("  state:    {state}");
    println!(
        "  options:  {}",
        bondkit::export::nmcli::options_string(&s.options)
    );
    println!(
        "  ports:    {}",
        b.ports
            .iter()
            .map(|p| format!("{} ({})", p.interface, p.id))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (name, f) in [("ipv4", &s.ipv4), ("ipv6", &s.ipv6)] {
        println!("  {name}:     {}", f.method);
        for a in &f.addresses {
            println!("    address {a}");
        }
        if let Some(g) = f.gateway {
            println!("    gateway {g}");
        }
        for d in &f.dns {
            println!("    dns     {d}");
        }
    }
    if let Some(m) = s.mtu {
        println!("  mtu:      {m}");
    }
    if let Some(m) = &s.mac {
        println!("  mac:      {m}");
    }
}

pub fn devices(devices: &[DeviceInfo], json: bool) {
    if json {
        return print_json(&devices);
    }
    let mut rows = vec![vec![
        "DEVICE".into(),
        "TYPE".into(),
        "STATE".into(),
        "CARRIER".into(),
        "SPEED".into(),
        "PROFILE".into(),
    ]];
    for d in devices {
        rows.push(vec![
            d.interface.clone(),
            d.kind.clone(),
            d.state.clone(),
            match d.carrier {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => "?".into(),
            },
            d.speed_mbps
                .map(|s| format!("{s} Mb/s"))
                .unwrap_or_else(|| "-".into()),
            d.connection.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    table(rows);
}

pub fn applied(verb: &str, r: &ApplyReport, json: bool) {
    if json {
        return print_json(r);
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    let state = match &r.path {
        ApplyPath::Reapply => " and applied it to the running bond (no outage)",
        ApplyPath::Reactivate(_) if r.activated => " and brought it up",
        _ => "",
    };
    println!("{verb} {}{state}.", r.bond);
}

/// `bondctl edit --dry-run`: the nmcli commands on stdout, the path and notes on stderr.
pub fn edit_plan(plan: &EditPlan, json: bool) {
    let commands = plan.commands();
    let path = plan.path.message(plan.bond.name()).to_string();
    if json {
        return print_json(&json!({
            "bond": plan.bond.name(),
            "uuid": plan.bond.settings.uuid,
            "changes": plan.changes,
            "path": plan.path,
            "path_text": path,
            "notes": plan.notes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            "commands": commands,
        }));
    }
    for n in &plan.notes {
        eprintln!("warning: {n}");
    }
    eprintln!("{path}");
    for c in commands {
        println!("{c}");
    }
}

pub fn deleted(name: &str, removed: &[String], json: bool) {
    if json {
        return print_json(&json!({ "bond": name, "deleted": removed }));
    }
    println!("Deleted {name} and its profiles: {}.", removed.join(", "));
}

pub fn dry_run(v: &Verdict, commands: &[String], json: bool) -> Result<(), NmError> {
    if json {
        print_json(&json!({
            "valid": v.is_valid(),
            "errors": v.errors,
            "options": v.normalized,
            "dropped": v.dropped,
            "warnings": v.warnings,
            "commands": if v.is_valid() { commands.to_vec() } else { Vec::new() },
        }));
    } else if v.is_valid() {
        for w in v.dropped.iter().chain(&v.warnings) {
            eprintln!("warning: {}", w.message);
        }
        for c in commands {
            println!("{c}");
        }
    }
    if v.is_valid() {
        return Ok(());
    }
    Err(NmError::Invalid(
        v.errors
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    ))
}

pub fn options(table_: &[OptionSpec], mode: Option<&str>, json: bool) -> Result<(), String> {
    let mode = match mode {
        Some(m) => Some(BondMode::parse(m).ok_or_else(|| format!("'{m}' is not a bonding mode; use one of balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb."))?),
        None => None,
    };
    let chosen: Vec<&OptionSpec> = table_
        .iter()
        .filter(|o| mode.is_none_or(|m| o.name == "mode" || o.kept_in(m)))
        .collect();
    if json {
        let rows: Vec<_> = chosen.iter().map(|o| json!({
            "name": o.name, "kind": o.kind, "default": o.default, "modes": o.modes.modes().map(|m| m.name()).collect::<Vec<_>>(),
            "since": o.since.to_string(), "live": o.live, "group": o.group, "label": o.label, "help": o.help, "unit": o.unit,
        })).collect();
        print_json(&rows);
        return Ok(());
    }
    let mut rows = vec![vec![
        "OPTION".into(),
        "VALUES".into(),
        "DEFAULT".into(),
        "MODES".into(),
        "NM".into(),
        "LIVE".into(),
    ]];
    for o in chosen {
        let values = match o.kind {
            ValueKind::Int { min, max } => format!(
                "{min}..{max}{}",
                o.unit.map(|u| format!(" {u}")).unwrap_or_default()
            ),
            ValueKind::Choice { values } => values.join("|"),
            ValueKind::Ipv4List => "IPv4,...".into(),
            ValueKind::Ipv6List => "IPv6,...".into(),
            ValueKind::IfName => "interface".into(),
            ValueKind::Mac => "MAC".into(),
        };
        let modes = if o.modes.is_all() {
            "all".to_string()
        } else {
            o.modes
                .modes()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(",")
        };
        rows.push(vec![
            o.name.into(),
            values,
            if o.default.is_empty() {
                "-".into()
            } else {
                o.default.into()
            },
            modes,
            format!("≥{}.{}", o.since.major, o.since.minor),
            if o.live { "yes" } else { "re-activate" }.into(),
        ]);
    }
    table(rows);
    Ok(())
}
