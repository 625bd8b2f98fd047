//! What every draft is judged by, whatever its format: NetworkManager's own rules (the same
//! validation the create form and bondctl use), and the pitfalls the bonding walkthrough warns
//! about: no link monitoring, 802.3ad without a configured switch, layer2 hashing through one
//! gateway, and a module options file without `max_bonds=0`.

use super::{At, DraftFormat, Report, Severity, Source};
use crate::model::{Arg, BondMode, Code, Message, NmVersion, Problem};

/// Records an `options bonding …` line, wherever it is.
pub fn modprobe_lines(src: &Source, r: &mut Report) {
    for (i, l) in src.text.lines().enumerate() {
        let words: Vec<&str> = l
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if words.len() >= 2 && words[0] == "options" && words[1] == "bonding" {
            let zero = words[2..].contains(&"max_bonds=0");
            r.draft.modprobe = Some((
                At {
                    value: l.trim().to_string(),
                    file: src.name.clone(),
                    line: i + 1,
                },
                zero,
            ));
        }
    }
}

/// A problem from NM's validation, at the line of the setting it is about, in the draft's
/// own spelling where that differs from NM's.
fn say_problem(r: &mut Report, p: &Problem, severity: Severity) {
    let (file, line) = r.draft.place(&p.option);
    let message = p
        .code
        .clone()
        .unwrap_or_else(|| Message::new(Code::DraftNmSays, [p.message.as_str()]));
    let message = match r.draft.spelled.get(&p.option) {
        Some(s) if s != &p.option => Message::new(
            Code::DraftAsSpelled,
            [Arg::from(s.clone()), Arg::from(message)],
        ),
        _ => message,
    };
    r.say(&file, line, severity, message);
}

pub fn judge(r: &mut Report, first_file: &str) {
    if let Some((at, false)) = r.draft.modprobe.clone() {
        r.say(
            &at.file,
            at.line,
            Severity::Warning,
            Message::new(Code::DraftMaxBondsMissing, [""; 0]),
        );
    }
    let Some(cfg) = r.draft.to_config() else {
        // Only when nothing else explains it (an unreadable file already said why).
        let errors = r.findings.iter().any(|f| f.severity == Severity::Error);
        if r.draft.modprobe.is_none() && !errors {
            r.say(
                first_file,
                0,
                Severity::Error,
                Message::new(Code::DraftNoBond, [""; 0]),
            );
        }
        return;
    };
    let networkd = r.draft.format == Some(DraftFormat::Networkd);
    let v = cfg.check(NmVersion::NEWEST);
    for p in &v.errors {
        // A draft may hold only the bond's part; say it, but do not call it broken.
        let sev = if p.code.as_ref().is_some_and(|c| c.code == Code::NeedsAPort) {
            Severity::Warning
        } else {
            Severity::Error
        };
        say_problem(r, p, sev);
    }
    for p in &v.dropped {
        say_problem(r, p, Severity::Warning);
    }
    for p in &v.warnings {
        if networkd
            && p.code
                .as_ref()
                .is_some_and(|c| c.code == Code::NoLinkMonitoring)
        {
            let (file, line) = r.draft.place("miimon");
            r.say(
                &file,
                line,
                Severity::Warning,
                Message::new(Code::DraftNoLinkMonitoring, ["MIIMonitorSec=100ms"]),
            );
            continue;
        }
        say_problem(r, p, Severity::Warning);
    }
    if !v.errors.is_empty() {
        return;
    }
    let mode = v.mode();
    let (file, line) = r.draft.place("mode");
    if mode == Some(BondMode::Ieee8023ad) {
        r.say(
            &file,
            line,
            Severity::Warning,
            Message::new(Code::DraftLacpNeedsSwitch, [""; 0]),
        );
    }
    let hashing = matches!(
        mode,
        Some(
            BondMode::Ieee8023ad
                | BondMode::BalanceXor
                | BondMode::BalanceTlb
                | BondMode::BalanceAlb
        )
    );
    let gateway = cfg.ipv4.gateway.is_some() || cfg.ipv6.gateway.is_some();
    if hashing && gateway && !cfg.options.contains_key("xmit_hash_policy") {
        r.say(
            &file,
            line,
            Severity::Warning,
            Message::new(Code::Layer2OneGateway, [""; 0]),
        );
    }
}
