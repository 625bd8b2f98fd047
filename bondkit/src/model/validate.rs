//! NM's `verify()` and normalization rules for `bond.options`, reproduced so that every
//! problem is caught before anything is sent, and said as one sentence with its fix.
//! The differential test (tests/nm_differential.rs) holds this to the real daemon.

use super::message::{Code, Message};
use super::mode::{BondMode, ModeSet};
use super::options::{spec, OptionSpec, ValueKind, OPTIONS};
use super::version::NmVersion;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

pub type OptionMap = BTreeMap<String, String>;

/// One finding about one option (or about the profile, with `option` empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub option: String,
    /// The English sentence (what bondctl prints).
    pub message: String,
    /// The same as a code with arguments, for front ends that translate. Messages that are
    /// not coded yet have none and are shown in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Message>,
}

impl Problem {
    pub fn new(option: &str, message: impl Into<String>) -> Problem {
        Problem {
            option: option.to_string(),
            message: message.into(),
            code: None,
        }
    }

    pub fn coded(option: &str, message: Message) -> Problem {
        Problem {
            option: option.to_string(),
            message: message.to_string(),
            code: Some(message),
        }
    }

    /// The text, translated where a code exists.
    pub fn render(&self, translate: &dyn Fn(&'static str) -> String) -> String {
        match &self.code {
            Some(m) => m.render(translate),
            None => self.message.clone(),
        }
    }
}

/// What NM would make of an option map.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdict {
    /// Reasons NM would refuse the profile. Empty when it would take it.
    pub errors: Vec<Problem>,
    /// The options as NM would store them (valid only when `errors` is empty).
    pub normalized: OptionMap,
    /// Options NM would silently remove, each with why.
    pub dropped: Vec<Problem>,
    /// Options that are stored but would not do what they seem to.
    pub warnings: Vec<Problem>,
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn mode(&self) -> Option<BondMode> {
        self.normalized.get("mode").and_then(|m| BondMode::parse(m))
    }
}

/// Judges `options` as a NetworkManager of `version` would.
pub fn check_options(options: &OptionMap, version: NmVersion) -> Verdict {
    let mut v = Verdict::default();
    // NM checks every value first, mode before the rest.
    let mut keys: Vec<&String> = options.keys().collect();
    keys.sort_by_key(|k| (k.as_str() != "mode", k.as_str()));
    for key in keys {
        if let Err(p) = check_value(key, &options[key], version) {
            v.errors.push(p);
        }
    }
    if !v.errors.is_empty() {
        return v;
    }

    let Some(mode) = options.get("mode").and_then(|m| BondMode::parse(m)) else {
        v.errors
            .push(Problem::coded("mode", msg(Code::NeedsMode, &[])));
        return v;
    };
    v.errors = rule_errors(options, mode);
    if !v.errors.is_empty() {
        return v;
    }

    // Normalization: NM rewrites a numeric mode and drops what the mode does not use.
    for (k, val) in options {
        let s = spec(k).expect("checked above");
        if k == "mode" {
            v.normalized.insert(k.clone(), mode.name().to_string());
        } else if s.kept_in(mode) {
            v.normalized.insert(k.clone(), val.clone());
        } else {
            v.dropped.push(Problem::coded(
                k,
                msg(Code::DroppedInMode, &[k, mode.name(), &s.modes_text()]),
            ));
        }
    }
    // NM verifies again after dropping: a rule that held only thanks to a dropped option
    // (peer_notif_delay beside ARP options in 802.3ad, say) now fails.
    v.errors = rule_errors(&v.normalized, mode);
    if !v.errors.is_empty() {
        v.normalized.clear();
        return v;
    }
    v.warnings = warnings(&v.normalized, mode);
    v
}

/// NM's cross-option rules for a map whose values are each well formed.
fn rule_errors(options: &OptionMap, mode: BondMode) -> Vec<Problem> {
    let mut v: Vec<Problem> = Vec::new();
    let get = |k: &str| options.get(k).map(String::as_str);
    let num = |k: &str| -> u64 {
        get(k)
            .or_else(|| spec(k).map(|s| s.default))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    let (miimon, arp_interval) = (num("miimon"), num("arp_interval"));
    let err = |v: &mut Vec<Problem>, k: &str, m: Message| v.push(Problem::coded(k, m));

    if matches!(mode, BondMode::BalanceTlb | BondMode::BalanceAlb) && arp_interval > 0 {
        err(
            &mut v,
            "arp_interval",
            msg(Code::ArpIntervalNotInMode, &[mode.name()]),
        );
    }
    let primary_modes = spec("primary").expect("in table").modes;
    if get("primary").is_some() && !primary_modes.contains(mode) {
        err(
            &mut v,
            "primary",
            msg(Code::PrimaryOnlyIn, &[&primary_modes.describe()]),
        );
    }
    if miimon == 0 {
        for k in ["updelay", "downdelay"] {
            if num(k) > 0 {
                err(&mut v, k, msg(Code::NeedsMiimon, &[k]));
            }
        }
    }
    let peer_notif_delay = num("peer_notif_delay");
    if peer_notif_delay > 0 {
        if miimon == 0 {
            err(
                &mut v,
                "peer_notif_delay",
                msg(Code::NeedsMiimon, &["peer_notif_delay"]),
            );
        } else if peer_notif_delay % miimon != 0 && arp_interval == 0 {
            let example = (miimon * (peer_notif_delay / miimon).max(1)).to_string();
            err(
                &mut v,
                "peer_notif_delay",
                msg(Code::PeerNotifMultiple, &[&miimon.to_string(), &example]),
            );
        }
    }
    let has_target = get("arp_ip_target").is_some() || get("ns_ip6_target").is_some();
    if arp_interval > 0 && !has_target {
        err(
            &mut v,
            "arp_interval",
            msg(Code::ArpIntervalNeedsTarget, &[]),
        );
    }
    if arp_interval == 0 && get("arp_ip_target").is_some() {
        err(
            &mut v,
            "arp_ip_target",
            msg(Code::ArpTargetNeedsInterval, &[]),
        );
    }
    if let Some(rate) = get("lacp_rate") {
        if mode != BondMode::Ieee8023ad && rate != "0" && rate != "slow" {
            err(&mut v, "lacp_rate", msg(Code::Only8023ad, &["lacp_rate"]));
        }
    }
    if get("lacp_active").is_some() && mode != BondMode::Ieee8023ad {
        err(
            &mut v,
            "lacp_active",
            msg(Code::Only8023ad, &["lacp_active"]),
        );
    }
    let no_arp_missed = ModeSet::of(&[
        BondMode::Ieee8023ad,
        BondMode::BalanceTlb,
        BondMode::BalanceAlb,
    ]);
    if get("arp_missed_max").is_some() && num("arp_missed_max") > 0 && no_arp_missed.contains(mode)
    {
        err(
            &mut v,
            "arp_missed_max",
            msg(Code::ArpMissedNotInMode, &[mode.name()]),
        );
    }
    if get("num_grat_arp").is_some()
        && get("num_unsol_na").is_some()
        && num("num_grat_arp") != num("num_unsol_na")
    {
        err(&mut v, "num_unsol_na", msg(Code::GratArpEqualsUnsolNa, &[]));
    }
    if get("balance-slb").is_some() && num("balance-slb") > 0 {
        if mode != BondMode::BalanceXor {
            err(&mut v, "balance-slb", msg(Code::SlbOnlyXor, &[]));
        } else if let Some(x) = get("xmit_hash_policy") {
            if choice_index(spec("xmit_hash_policy").expect("in table"), x) != Some(5) {
                err(
                    &mut v,
                    "xmit_hash_policy",
                    msg(Code::SlbNeedsVlanSrcmac, &[]),
                );
            }
        }
    }

    v
}

fn msg(code: Code, args: &[&str]) -> Message {
    Message::new(code, args.iter().copied())
}

/// Stored, but not doing what it seems to.
fn warnings(opts: &OptionMap, mode: BondMode) -> Vec<Problem> {
    let mut w = Vec::new();
    let num = |k: &str| opts.get(k).and_then(|s| s.parse::<u64>().ok());
    let arp_interval = num("arp_interval").unwrap_or(0);
    match num("miimon") {
        Some(m) if m > 0 && arp_interval > 0 => w.push(Problem::coded(
            "arp_interval",
            msg(Code::MiimonOverridesArp, &[]),
        )),
        Some(0) if arp_interval == 0 => {
            w.push(Problem::coded("miimon", msg(Code::NoLinkMonitoring, &[])))
        }
        _ => {}
    }
    if opts.contains_key("active_slave") {
        w.push(Problem::coded(
            "active_slave",
            msg(Code::ActiveSlaveDeprecated, &[]),
        ));
    }
    if let Some(x) = opts.get("xmit_hash_policy") {
        let applies = matches!(
            mode,
            BondMode::BalanceXor
                | BondMode::Ieee8023ad
                | BondMode::BalanceTlb
                | BondMode::BalanceAlb
        );
        if !applies {
            w.push(Problem::coded(
                "xmit_hash_policy",
                msg(Code::XmitHashNoEffect, &[mode.name()]),
            ));
        } else if x == "layer2" || x == "0" {
            w.push(Problem::coded(
                "xmit_hash_policy",
                msg(Code::Layer2OneGateway, &[]),
            ));
        }
    }
    w
}

/// Checks one value against the table, as NM's `_nm_setting_bond_validate_option` does.
pub fn check_value(key: &str, value: &str, version: NmVersion) -> Result<(), Problem> {
    let Some(s) = spec(key) else {
        return Err(Problem::coded(
            key,
            match suggest(key) {
                Some(n) => msg(Code::UnknownOptionDidYouMean, &[key, n]),
                None => msg(Code::UnknownOption, &[key]),
            },
        ));
    };
    if version < s.since {
        let since = format!("{}.{}", s.since.major, s.since.minor);
        return Err(Problem::coded(
            key,
            msg(Code::NeedsNewerNm, &[key, &since, &version.to_string()]),
        ));
    }
    let ok = match s.kind {
        ValueKind::Int { min, max } => parse_int(value, min, max).is_some(),
        ValueKind::Choice { .. } => choice_index(s, value).is_some(),
        ValueKind::Ipv4List | ValueKind::Ipv6List => return check_ip_list(s, value),
        ValueKind::IfName => ifname_valid(value),
        ValueKind::Mac => mac_valid(value),
    };
    if ok {
        return Ok(());
    }
    let m = match (s.kind, s.unit) {
        (ValueKind::Int { min, max }, Some(u)) => msg(
            Code::IntRangeUnit,
            &[key, &min.to_string(), &max.to_string(), u, value],
        ),
        (ValueKind::Int { min, max }, None) => msg(
            Code::IntRange,
            &[key, &min.to_string(), &max.to_string(), value],
        ),
        (ValueKind::Choice { values }, _) => msg(Code::OneOf, &[key, &values.join(", "), value]),
        (ValueKind::IfName, _) => msg(Code::BadIfNameOption, &[key, value]),
        _ => msg(Code::BadMacOption, &[key, value]),
    };
    Err(Problem::coded(key, m))
}

fn parse_int(value: &str, min: u64, max: u64) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
}

/// The index of a choice given by name or by number, as NM accepts both.
pub fn choice_index(s: &OptionSpec, value: &str) -> Option<usize> {
    let values = s.choices();
    values
        .iter()
        .position(|v| *v == value)
        .or_else(|| parse_int(value, 0, values.len().saturating_sub(1) as u64).map(|n| n as usize))
}

fn check_ip_list(s: &OptionSpec, value: &str) -> Result<(), Problem> {
    let key = s.name;
    let parts: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let family = if s.kind == ValueKind::Ipv4List {
        "IPv4"
    } else {
        "IPv6"
    };
    if parts.is_empty() {
        return Err(Problem::coded(
            key,
            msg(Code::EmptyAddressList, &[key, family]),
        ));
    }
    for p in parts {
        let ok = if family == "IPv4" {
            p.parse::<Ipv4Addr>().is_ok()
        } else {
            p.parse::<Ipv6Addr>().is_ok()
        };
        if !ok {
            let example = if family == "IPv4" {
                "192.168.1.1"
            } else {
                "fd00::1"
            };
            return Err(Problem::coded(
                key,
                msg(Code::BadListAddress, &[key, p, family, example]),
            ));
        }
    }
    Ok(())
}

/// The kernel's rules for interface names (NM's `nm_utils_ifname_valid_kernel`).
pub fn ifname_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && !name
            .bytes()
            .any(|b| b == b'/' || b == b':' || b.is_ascii_whitespace())
}

/// Six bytes of one or two hex digits, separated by ':' or '-'.
pub fn mac_valid(mac: &str) -> bool {
    let sep = if mac.contains('-') { '-' } else { ':' };
    let parts: Vec<&str> = mac.split(sep).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The known option closest to a misspelt one, if any is close.
fn suggest(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase().replace('-', "_");
    OPTIONS
        .iter()
        .map(|o| (edit_distance(&key, &o.name.replace('-', "_")), o.name))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Levenshtein distance, for suggesting the name a typo meant.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The one spelling of a value: a choice by name, a number without leading zeros, an
/// address list without spaces. Unknown options are compared as written.
pub fn canonical_value(key: &str, value: &str) -> String {
    let Some(s) = spec(key) else {
        return value.to_string();
    };
    match s.kind {
        ValueKind::Choice { values } => choice_index(s, value)
            .map(|i| values[i].to_string())
            .unwrap_or_else(|| value.to_string()),
        ValueKind::Int { .. } => value
            .trim()
            .parse::<u64>()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| value.to_string()),
        ValueKind::Ipv4List | ValueKind::Ipv6List => value
            .split([',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(","),
        ValueKind::IfName => value.to_string(),
        ValueKind::Mac => value.to_ascii_lowercase().replace('-', ":"),
    }
}

/// Whether two values of `key` mean the same to NM (`lacp_rate=1` and `fast`, say).
pub fn same_value(key: &str, a: &str, b: &str) -> bool {
    a == b || canonical_value(key, a) == canonical_value(key, b)
}

/// Parses "KEY=VALUE" as given on a command line.
pub fn parse_assignment(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!(
            "'{s}' is not KEY=VALUE; write options like miimon=100."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V142: NmVersion = NmVersion::new(1, 42, 4);

    fn map(pairs: &[(&str, &str)]) -> OptionMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn first_error(pairs: &[(&str, &str)]) -> Problem {
        check_options(&map(pairs), V142)
            .errors
            .into_iter()
            .next()
            .expect("expected a rejection")
    }

    #[test]
    fn accepts_the_seed_bonds() {
        for pairs in [
            &[("mode", "active-backup"), ("miimon", "100")][..],
            &[
                ("mode", "802.3ad"),
                ("miimon", "100"),
                ("lacp_rate", "fast"),
                ("xmit_hash_policy", "layer3+4"),
            ],
        ] {
            let v = check_options(&map(pairs), V142);
            assert!(v.is_valid(), "{:?}", v.errors);
            assert_eq!(v.normalized, map(pairs));
            assert!(v.dropped.is_empty());
        }
    }

    #[test]
    fn sentences_name_the_option_and_the_fix() {
        let p = first_error(&[("mode", "balance-rr"), ("lacp_rate", "fast")]);
        assert_eq!(p.option, "lacp_rate");
        assert_eq!(
            p.message,
            "lacp_rate only works in mode 802.3ad; remove it or switch the mode to 802.3ad."
        );
        let p = first_error(&[("mode", "802.3ad"), ("primary", "eno1")]);
        assert_eq!(p.message, "primary only works in mode active-backup, balance-tlb or balance-alb; remove it or change the mode.");
        let p = first_error(&[("mode", "lacp")]);
        assert_eq!(p.message, "mode must be one of balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb; 'lacp' is not.");
        let p = first_error(&[("mode", "1"), ("miimom", "100")]);
        assert_eq!(
            p.message,
            "'miimom' is not a bond option NetworkManager knows; did you mean miimon?"
        );
        let p = first_error(&[("mode", "1"), ("miimon", "-5")]);
        assert_eq!(
            p.message,
            "miimon must be a whole number from 0 to 2147483647 (in ms); '-5' is not."
        );
        let p = first_error(&[("mode", "1"), ("arp_interval", "100")]);
        assert_eq!(p.option, "arp_interval");
        assert!(p.message.contains("needs arp_ip_target"));
        let p = first_error(&[
            ("mode", "1"),
            ("arp_interval", "100"),
            ("arp_ip_target", "10.0.0.1,10.0.0"),
        ]);
        assert_eq!(p.message, "arp_ip_target: '10.0.0' is not an IPv4 address; list addresses such as 192.168.1.1 separated by commas.");
        for p in [p, first_error(&[("miimon", "1")])] {
            assert!(
                p.message.ends_with('.') && p.message.contains(';') || p.message.contains(':'),
                "{}",
                p.message
            );
        }
    }

    #[test]
    fn reproduces_nm_verify_rules() {
        assert_eq!(first_error(&[("miimon", "100")]).option, "mode");
        assert_eq!(
            first_error(&[
                ("mode", "balance-alb"),
                ("arp_interval", "10"),
                ("arp_ip_target", "1.1.1.1")
            ])
            .option,
            "arp_interval"
        );
        assert_eq!(
            first_error(&[("mode", "1"), ("miimon", "0"), ("updelay", "200")]).option,
            "updelay"
        );
        assert_eq!(
            first_error(&[("mode", "1"), ("miimon", "0"), ("downdelay", "200")]).option,
            "downdelay"
        );
        assert_eq!(
            first_error(&[
                ("mode", "1"),
                ("miimon", "100"),
                ("peer_notif_delay", "150")
            ])
            .option,
            "peer_notif_delay"
        );
        assert!(check_options(
            &map(&[
                ("mode", "1"),
                ("miimon", "100"),
                ("peer_notif_delay", "300")
            ]),
            V142
        )
        .is_valid());
        assert_eq!(
            first_error(&[("mode", "1"), ("arp_ip_target", "1.1.1.1")]).option,
            "arp_ip_target"
        );
        assert_eq!(
            first_error(&[("mode", "0"), ("num_grat_arp", "2"), ("num_unsol_na", "3")]).option,
            "num_unsol_na"
        );
        assert_eq!(
            first_error(&[("mode", "0"), ("balance-slb", "1")]).option,
            "balance-slb"
        );
        assert_eq!(
            first_error(&[
                ("mode", "2"),
                ("balance-slb", "1"),
                ("xmit_hash_policy", "layer2")
            ])
            .option,
            "xmit_hash_policy"
        );
        assert!(check_options(
            &map(&[
                ("mode", "2"),
                ("balance-slb", "1"),
                ("xmit_hash_policy", "vlan+srcmac")
            ]),
            V142
        )
        .is_valid());
        assert_eq!(
            first_error(&[("mode", "1"), ("primary", "a b")]).option,
            "primary"
        );
        assert_eq!(
            first_error(&[("mode", "4"), ("ad_actor_system", "zz:00:00:00:00:00")]).option,
            "ad_actor_system"
        );
        // lacp_rate=slow is harmless outside 802.3ad: NM keeps quiet and drops it.
        let v = check_options(&map(&[("mode", "1"), ("lacp_rate", "slow")]), V142);
        assert!(v.is_valid());
        assert_eq!(v.dropped[0].option, "lacp_rate");
    }

    #[test]
    fn version_gates() {
        let p = first_error(&[("mode", "4"), ("lacp_active", "on")]);
        assert_eq!(p.message, "lacp_active needs NetworkManager 1.44 or newer, and this system runs 1.42.4; remove it or upgrade NetworkManager.");
        let v = check_options(
            &map(&[("mode", "4"), ("lacp_active", "off")]),
            NmVersion::new(1, 46, 0),
        );
        assert!(v.is_valid());
        let v = check_options(
            &map(&[("mode", "1"), ("lacp_active", "off")]),
            NmVersion::new(1, 46, 0),
        );
        assert_eq!(v.errors[0].option, "lacp_active");
    }

    #[test]
    fn normalizes_like_nm() {
        let v = check_options(
            &map(&[
                ("mode", "4"),
                ("arp_interval", "100"),
                ("arp_ip_target", "1.2.3.4"),
                ("miimon", "007"),
            ]),
            V142,
        );
        assert!(v.is_valid());
        assert_eq!(v.normalized, map(&[("mode", "802.3ad"), ("miimon", "007")]));
        assert_eq!(v.dropped.len(), 2);
        assert_eq!(v.dropped[0].message, "NetworkManager drops arp_interval in mode 802.3ad: it only applies to balance-rr, active-backup, balance-xor or broadcast.");
        // NM verifies again after dropping: here the dropped ARP options were all that
        // excused a peer_notif_delay that is not a multiple of miimon.
        let v = check_options(
            &map(&[
                ("mode", "802.3ad"),
                ("miimon", "50"),
                ("peer_notif_delay", "75"),
                ("arp_interval", "10"),
                ("arp_ip_target", "10.0.0.1"),
            ]),
            V142,
        );
        assert_eq!(v.errors[0].option, "peer_notif_delay");
        let v = check_options(&map(&[("mode", "1"), ("packets_per_slave", "3")]), V142);
        assert_eq!(v.normalized, map(&[("mode", "active-backup")]));
    }

    #[test]
    fn warns_about_settings_without_effect() {
        let v = check_options(
            &map(&[
                ("mode", "1"),
                ("miimon", "100"),
                ("arp_interval", "100"),
                ("arp_ip_target", "1.1.1.1"),
            ]),
            V142,
        );
        assert!(v.is_valid());
        assert_eq!(v.warnings[0].option, "arp_interval");
        let v = check_options(&map(&[("mode", "1"), ("miimon", "0")]), V142);
        assert!(v.warnings[0].message.starts_with("No link monitoring"));
        let v = check_options(&map(&[("mode", "4"), ("xmit_hash_policy", "layer2")]), V142);
        assert!(v.warnings[0].message.contains("layer3+4"));
    }

    #[test]
    fn small_parsers() {
        assert!(
            ifname_valid("eno1")
                && !ifname_valid("")
                && !ifname_valid("a/b")
                && !ifname_valid("0123456789abcdef")
        );
        assert!(
            mac_valid("52:54:00:12:34:56")
                && mac_valid("2-54-0-12-34-56")
                && !mac_valid("52:54:00:12:34")
        );
        assert_eq!(
            parse_assignment("miimon=100"),
            Ok(("miimon".into(), "100".into()))
        );
        assert!(parse_assignment("miimon").is_err());
        assert_eq!(edit_distance("lacp-rate", "lacp_rate"), 1);
    }
}
