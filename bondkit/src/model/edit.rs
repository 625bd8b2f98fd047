//! Edits of an existing bond: what the user names ([`BondEdit`]), the configuration it
//! gives, the inverse (the edit between two configurations, for the GUI's form), and the
//! least change that realizes it: the profile keys that differ ([`Change`]) and whether the
//! running bond takes them in place or must be re-activated ([`ApplyPath`]).

use super::config::BondConfig;
use super::ip::{Family, IpAddress, IpFamily, IpMethod};
use super::message::{Code, Message};
use super::mode::BondMode;
use super::options::spec;
use super::validate::{same_value, OptionMap, Verdict};
use super::version::NmVersion;
use serde::Serialize;
use std::net::IpAddr;

/// A change to one IP family; `None` leaves a part as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FamilyEdit {
    pub method: Option<IpMethod>,
    /// Replaces every address.
    pub addresses: Option<Vec<IpAddress>>,
    pub add_addresses: Vec<IpAddress>,
    pub remove_addresses: Vec<IpAddress>,
    pub gateway: Option<Option<IpAddr>>,
    pub dns: Option<Vec<IpAddr>>,
}

impl FamilyEdit {
    pub fn is_empty(&self) -> bool {
        *self == FamilyEdit::default()
    }

    /// Whether the new method drops the family's static addresses and gateway (NM refuses
    /// them with link-local, disabled and ignore) without the edit naming them.
    fn method_clears(&self) -> bool {
        self.method.as_ref().is_some_and(|m| !m.allows_addresses())
            && self.addresses.is_none()
            && self.add_addresses.is_empty()
    }

    fn apply_to(&self, before: &IpFamily) -> IpFamily {
        let mut c = before.clone();
        if let Some(m) = &self.method {
            c.method = m.clone();
        }
        if self.method_clears() {
            c.addresses.clear();
            c.gateway = None;
        }
        if let Some(a) = &self.addresses {
            c.addresses = a.clone();
        }
        c.addresses.retain(|a| !self.remove_addresses.contains(a));
        for a in &self.add_addresses {
            if !c.addresses.contains(a) {
                c.addresses.push(*a);
            }
        }
        if let Some(g) = self.gateway {
            c.gateway = g;
        }
        if let Some(d) = &self.dns {
            c.dns = d.clone();
        }
        c
    }

    fn between(a: &IpFamily, b: &IpFamily) -> FamilyEdit {
        let mut e = FamilyEdit::default();
        if a.method != b.method {
            e.method = Some(b.method.clone());
        }
        if a.addresses != b.addresses || (e.method_clears() && !b.addresses.is_empty()) {
            e.addresses = Some(b.addresses.clone());
        }
        if a.gateway != b.gateway || (e.method_clears() && b.gateway.is_some()) {
            e.gateway = Some(b.gateway);
        }
        if a.dns != b.dns {
            e.dns = Some(b.dns.clone());
        }
        e
    }
}

/// A change to an existing bond; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BondEdit {
    pub mode: Option<String>,
    pub set_options: Vec<(String, String)>,
    pub remove_options: Vec<String>,
    pub add_ports: Vec<String>,
    pub remove_ports: Vec<String>,
    /// `bond-port` settings of ports (kept or added); only the keys given change.
    pub port_settings: Vec<(String, crate::model::PortSettings)>,
    pub ipv4: FamilyEdit,
    pub ipv6: FamilyEdit,
    pub mtu: Option<Option<u32>>,
    pub mac: Option<Option<String>>,
}

impl BondEdit {
    pub fn family(&self, f: Family) -> &FamilyEdit {
        match f {
            Family::V4 => &self.ipv4,
            Family::V6 => &self.ipv6,
        }
    }

    pub fn family_mut(&mut self, f: Family) -> &mut FamilyEdit {
        match f {
            Family::V4 => &mut self.ipv4,
            Family::V6 => &mut self.ipv6,
        }
    }

    /// A gateway of either family: an IPv6 address sets `ipv6.gateway`.
    pub fn set_gateway(&mut self, gw: IpAddr) {
        self.family_mut(Family::of(&gw)).gateway = Some(Some(gw));
    }

    /// DNS servers: each family named gets exactly its servers; `[]` clears both.
    pub fn set_dns(&mut self, servers: &[IpAddr]) {
        for f in [Family::V4, Family::V6] {
            let mine: Vec<IpAddr> = servers
                .iter()
                .filter(|d| Family::of(d) == f)
                .copied()
                .collect();
            if servers.is_empty() || !mine.is_empty() {
                self.family_mut(f).dns = Some(mine);
            }
        }
    }

    /// Options that a mode change leaves without meaning: kept ones would be dropped or
    /// refused by NM, so the edit removes them (unless set explicitly in the same edit).
    pub fn removed_by_mode_change(&self, before: &BondConfig) -> Vec<String> {
        let Some(mode) = self.mode.as_deref().and_then(BondMode::parse) else {
            return Vec::new();
        };
        before
            .options
            .keys()
            .filter(|k| spec(k).is_some_and(|s| !s.kept_in(mode)))
            .filter(|k| !self.set_options.iter().any(|(s, _)| s == *k))
            .cloned()
            .collect()
    }

    /// What the edit removes as a consequence rather than by name, as sentences.
    pub fn consequences(&self, before: &BondConfig) -> Vec<Message> {
        let mut out: Vec<Message> = self
            .removed_by_mode_change(before)
            .into_iter()
            .map(|k| {
                let modes = spec(&k).map(|s| s.modes_text()).unwrap_or_default();
                Message::new(Code::ModeChangeRemoves, [k, modes])
            })
            .collect();
        for f in [Family::V4, Family::V6] {
            let (e, c) = (self.family(f), before.family(f));
            if e.method_clears() && (!c.addresses.is_empty() || c.gateway.is_some()) {
                let mut gone: Vec<String> = c.addresses.iter().map(|a| a.to_string()).collect();
                gone.extend(c.gateway.map(|g| g.to_string()));
                let m = e.method.as_ref().map(|m| m.to_string()).unwrap_or_default();
                out.push(Message::new(
                    Code::MethodChangeRemovesAddresses,
                    [f.name().to_string(), m, gone.join(", ")],
                ));
            }
        }
        out
    }

    /// The configuration after this edit.
    pub fn apply_to(&self, before: &BondConfig) -> BondConfig {
        let mut c = before.clone();
        for k in self
            .remove_options
            .iter()
            .chain(&self.removed_by_mode_change(before))
        {
            c.options.remove(k);
        }
        for (k, v) in &self.set_options {
            c.options.insert(k.clone(), v.clone());
        }
        if let Some(m) = &self.mode {
            c.options.insert("mode".into(), m.clone());
        }
        c.ports.retain(|p| !self.remove_ports.contains(p));
        for p in &self.add_ports {
            if !c.ports.contains(p) {
                c.ports.push(p.clone());
            }
        }
        c.port_settings.retain(|p, _| c.ports.contains(p));
        for (port, s) in &self.port_settings {
            let mine = c.port_settings.entry(port.clone()).or_default();
            if s.queue_id.is_some() {
                mine.queue_id = s.queue_id;
            }
            if s.prio.is_some() {
                mine.prio = s.prio;
            }
            if mine.is_empty() {
                c.port_settings.remove(port);
            }
        }
        c.ipv4 = self.ipv4.apply_to(&before.ipv4);
        c.ipv6 = self.ipv6.apply_to(&before.ipv6);
        if let Some(v) = self.mtu {
            c.mtu = v;
        }
        if let Some(v) = &self.mac {
            c.mac = v.clone();
        }
        c
    }

    /// The edit that turns `a` into `b`, naming only what differs. Option values that mean
    /// the same (`lacp_rate=1` and `fast`) are no change. The inverse of [`Self::apply_to`].
    pub fn between(a: &BondConfig, b: &BondConfig) -> BondEdit {
        let mut e = BondEdit::default();
        let (am, bm) = (a.options.get("mode"), b.options.get("mode"));
        if am.and_then(|m| BondMode::parse(m)) != bm.and_then(|m| BondMode::parse(m)) {
            e.mode = bm.cloned();
        }
        let removed = e.removed_by_mode_change(a);
        for (k, v) in &b.options {
            let differs = a.options.get(k).is_none_or(|old| !same_value(k, old, v));
            if k != "mode" && (differs || removed.contains(k)) {
                e.set_options.push((k.clone(), v.clone()));
            }
        }
        e.remove_options = a
            .options
            .keys()
            .filter(|k| *k != "mode" && !b.options.contains_key(*k) && !removed.contains(k))
            .cloned()
            .collect();
        e.add_ports = b
            .ports
            .iter()
            .filter(|p| !a.ports.contains(p))
            .cloned()
            .collect();
        e.remove_ports = a
            .ports
            .iter()
            .filter(|p| !b.ports.contains(p))
            .cloned()
            .collect();
        for p in &b.ports {
            let old = a.port_settings.get(p).cloned().unwrap_or_default();
            let new = b.port_settings.get(p).cloned().unwrap_or_default();
            if old != new {
                // A key the new settings leave out goes back to NM's default.
                let mut s = new;
                if s.queue_id.is_none() && old.queue_id.is_some() {
                    s.queue_id = Some(0);
                }
                if s.prio.is_none() && old.prio.is_some() {
                    s.prio = Some(0);
                }
                e.port_settings.push((p.clone(), s));
            }
        }
        e.ipv4 = FamilyEdit::between(&a.ipv4, &b.ipv4);
        e.ipv6 = FamilyEdit::between(&a.ipv6, &b.ipv6);
        if a.mtu != b.mtu {
            e.mtu = Some(b.mtu);
        }
        if a.mac != b.mac {
            e.mac = Some(b.mac.clone());
        }
        e
    }

    pub fn is_empty(&self) -> bool {
        *self == BondEdit::default()
    }

    /// The configuration this edit produces from `before`, and NM's verdict on it: what the
    /// GUI's form and `plan` both validate (so a mode switch that drops lacp_rate is a
    /// note, not an error).
    pub fn judge(&self, before: &BondConfig, version: NmVersion) -> (BondConfig, Verdict) {
        let after = self.apply_to(before);
        let mut verdict = after.check(version);
        // nmcli makes bonds without port profiles (ports enslaved by hand or by another
        // profile); editing one must not demand ports it never had.
        if before.ports.is_empty() && after.ports.is_empty() {
            verdict
                .errors
                .retain(|p| p.code.as_ref().is_none_or(|m| m.code != Code::NeedsAPort));
        }
        (after, verdict)
    }
}

/// Whether two option maps mean the same to NM (numeric and named forms alike).
pub fn same_options(a: &OptionMap, b: &OptionMap) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| same_value(k, v, w)))
}

/// One key group of the bond profile that an edit writes; everything else in the profile is
/// left as NM holds it. The D-Bus path and the nmcli review both come from this list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "key", content = "value", rename_all = "snake_case")]
pub enum Change {
    /// `bond.options`, the whole map (NM replaces it as one value).
    Options(OptionMap),
    Method(Family, IpMethod),
    Addresses(Family, Vec<IpAddress>),
    Gateway(Family, Option<IpAddr>),
    Dns(Family, Vec<IpAddr>),
    Mtu(Option<u32>),
    Mac(Option<String>),
}

/// The profile keys that differ between `before` and `after`, whose options are what will
/// be stored (normalized).
pub fn profile_changes(before: &BondConfig, after: &BondConfig) -> Vec<Change> {
    let mut out = Vec::new();
    if !same_options(&before.options, &after.options) {
        out.push(Change::Options(after.options.clone()));
    }
    for f in [Family::V4, Family::V6] {
        let (a, b) = (before.family(f), after.family(f));
        if a.method != b.method {
            out.push(Change::Method(f, b.method.clone()));
        }
        if a.addresses != b.addresses {
            out.push(Change::Addresses(f, b.addresses.clone()));
        }
        if a.gateway != b.gateway {
            out.push(Change::Gateway(f, b.gateway));
        }
        if a.dns != b.dns {
            out.push(Change::Dns(f, b.dns.clone()));
        }
    }
    if before.mtu != after.mtu {
        out.push(Change::Mtu(after.mtu));
    }
    if before.mac != after.mac {
        out.push(Change::Mac(after.mac.clone()));
    }
    out
}

/// Everything a new profile for `cfg` says beyond its bond options (stored as `options`),
/// as changes from an empty profile: the one list that both the D-Bus create and the nmcli
/// review write. Methods are always stated.
pub fn creation_changes(cfg: &BondConfig, options: &OptionMap) -> Vec<Change> {
    let mut empty = BondConfig::new(&cfg.name, "");
    empty.options = options.clone();
    empty.ipv4 = IpFamily::with_method(IpMethod::Other(String::new()));
    empty.ipv6 = IpFamily::with_method(IpMethod::Other(String::new()));
    let mut full = cfg.clone();
    full.options = options.clone();
    profile_changes(&empty, &full)
}

/// Why a change cannot be taken by the running bond in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", content = "option", rename_all = "snake_case")]
pub enum Why {
    Mode,
    Ports,
    /// The kernel (or NM 1.42's reapply) does not change this option on a live bond.
    Option(String),
    Mac,
    /// A port's bond-port settings change: the port joins the bond again to take them.
    PortSettings,
    /// The profile has no ethernet setting yet; an MTU change adds one.
    NewEthernetSetting,
    Inactive,
    NotAsked,
}

impl Why {
    pub fn message(&self) -> Message {
        match self {
            Why::Mode => Message::new(Code::WhyMode, [""; 0]),
            Why::Ports => Message::new(Code::WhyPorts, [""; 0]),
            Why::Option(o) => Message::new(Code::WhyOption, [o]),
            Why::Mac => Message::new(Code::WhyMac, [""; 0]),
            Why::PortSettings => Message::new(Code::WhyPortSettings, [""; 0]),
            Why::NewEthernetSetting => Message::new(Code::WhyNewEthernetSetting, [""; 0]),
            Why::Inactive => Message::new(Code::WhyInactive, [""; 0]),
            Why::NotAsked => Message::new(Code::WhyNotAsked, [""; 0]),
        }
    }
}

/// How an edit reaches the running system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "path", content = "because", rename_all = "snake_case")]
pub enum ApplyPath {
    /// The profile already says this: nothing is sent.
    Nothing,
    /// The profile changes; the bond is not touched.
    ProfileOnly(Why),
    /// `Device.Reapply`: the running bond takes the change in place.
    Reapply,
    /// Re-activation (a short outage), for these reasons.
    Reactivate(Vec<Why>),
}

impl ApplyPath {
    /// The edit's least disruptive path. `active` is whether the bond runs this profile now.
    pub fn decide(
        before: &BondConfig,
        after: &BondConfig,
        changes: &[Change],
        active: bool,
        bring_up: bool,
    ) -> ApplyPath {
        let ports_change = before.ports != after.ports;
        // bond-port settings of ports the bond keeps (new ports come up with theirs).
        let port_settings_change = after.ports.iter().any(|p| {
            before.ports.contains(p) && before.port_settings.get(p) != after.port_settings.get(p)
        });
        if changes.is_empty() && !ports_change && !port_settings_change {
            return ApplyPath::Nothing;
        }
        if !active {
            return ApplyPath::ProfileOnly(Why::Inactive);
        }
        if !bring_up {
            return ApplyPath::ProfileOnly(Why::NotAsked);
        }
        let mut why = Vec::new();
        let mode = |c: &BondConfig| c.options.get("mode").and_then(|m| BondMode::parse(m));
        if mode(before) != mode(after) {
            why.push(Why::Mode);
        }
        if ports_change {
            why.push(Why::Ports);
        }
        if port_settings_change {
            why.push(Why::PortSettings);
        }
        let keys = before.options.keys().chain(after.options.keys());
        let mut seen: Vec<&String> = Vec::new();
        for k in keys {
            if k == "mode" || seen.contains(&k) {
                continue;
            }
            seen.push(k);
            let same = match (before.options.get(k), after.options.get(k)) {
                (Some(a), Some(b)) => same_value(k, a, b),
                (None, None) => true,
                (Some(v), None) | (None, Some(v)) => {
                    spec(k).is_some_and(|s| same_value(k, v, s.default))
                }
            };
            if !same && !spec(k).is_some_and(|s| s.live) {
                why.push(Why::Option(k.clone()));
            }
        }
        if changes.iter().any(|c| matches!(c, Change::Mac(_))) {
            why.push(Why::Mac);
        }
        if why.is_empty() {
            ApplyPath::Reapply
        } else {
            ApplyPath::Reactivate(why)
        }
    }

    /// The review's sentence.
    pub fn message(&self, bond: &str) -> Message {
        match self {
            ApplyPath::Nothing => Message::new(Code::PathNothing, [""; 0]),
            ApplyPath::ProfileOnly(w) => Message::new(Code::PathProfileOnly, [w.message()]),
            ApplyPath::Reapply => Message::new(Code::PathReapply, [bond]),
            ApplyPath::Reactivate(w) => Message::new(
                Code::PathReactivate,
                [
                    super::message::Arg::from(bond),
                    w.iter().map(Why::message).collect::<Vec<_>>().into(),
                ],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seed() -> BondConfig {
        let mut c = BondConfig::new("bond0", "802.3ad");
        c.options.insert("miimon".into(), "100".into());
        c.options.insert("lacp_rate".into(), "1".into());
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 =
            IpFamily::manual(IpAddress::parse_list("10.0.0.2/24,10.0.0.3/24", Family::V4).unwrap());
        c.ipv4.gateway = Some("10.0.0.1".parse().unwrap());
        c.ipv6 =
            IpFamily::manual(IpAddress::parse_list("fd00::2/64 fd00::3/64", Family::V6).unwrap());
        c.ipv6.gateway = Some("fd00::1".parse().unwrap());
        c.mac = Some("stable".into());
        c
    }

    #[test]
    fn a_port_setting_edit_changes_only_that_key_and_reactivates() {
        let mut a = seed();
        a.port_settings.insert(
            "eno1".into(),
            crate::model::PortSettings {
                queue_id: Some(2),
                prio: None,
            },
        );
        let e = BondEdit {
            port_settings: vec![(
                "eno1".into(),
                crate::model::PortSettings {
                    queue_id: None,
                    prio: Some(10),
                },
            )],
            ..Default::default()
        };
        let b = e.apply_to(&a);
        let eno1 = &b.port_settings["eno1"];
        assert_eq!((eno1.queue_id, eno1.prio), (Some(2), Some(10)));
        assert_eq!(BondEdit::between(&a, &b).apply_to(&a), b);
        assert!(profile_changes(&a, &b).is_empty(), "the bond profile stays");
        assert_eq!(
            ApplyPath::decide(&a, &b, &[], true, true),
            ApplyPath::Reactivate(vec![Why::PortSettings])
        );
        // A port that leaves takes its settings with it.
        let gone = BondEdit {
            remove_ports: vec!["eno1".into()],
            ..Default::default()
        }
        .apply_to(&a);
        assert!(gone.port_settings.is_empty());
    }

    #[test]
    fn an_mtu_edit_changes_only_the_mtu() {
        let a = seed();
        let e = BondEdit {
            mtu: Some(Some(9000)),
            ..Default::default()
        };
        let b = e.apply_to(&a);
        assert_eq!(profile_changes(&a, &b), vec![Change::Mtu(Some(9000))]);
        assert_eq!(
            ApplyPath::decide(&a, &b, &profile_changes(&a, &b), true, true),
            ApplyPath::Reapply
        );
    }

    #[test]
    fn a_numeric_form_is_no_change() {
        let a = seed();
        let mut b = a.clone();
        b.options.insert("lacp_rate".into(), "fast".into());
        assert!(BondEdit::between(&a, &b).is_empty());
        assert!(profile_changes(&a, &b).is_empty());
        assert_eq!(
            ApplyPath::decide(&a, &b, &[], true, true),
            ApplyPath::Nothing
        );
    }

    #[test]
    fn lacp_rate_needs_a_reactivation_and_miimon_does_not() {
        let a = seed();
        let mut b = a.clone();
        b.options.insert("lacp_rate".into(), "slow".into());
        let ch = profile_changes(&a, &b);
        assert_eq!(
            ApplyPath::decide(&a, &b, &ch, true, true),
            ApplyPath::Reactivate(vec![Why::Option("lacp_rate".into())])
        );
        let mut b = a.clone();
        b.options.insert("miimon".into(), "200".into());
        let ch = profile_changes(&a, &b);
        assert_eq!(
            ApplyPath::decide(&a, &b, &ch, true, true),
            ApplyPath::Reapply
        );
        assert_eq!(
            ApplyPath::decide(&a, &b, &ch, false, true),
            ApplyPath::ProfileOnly(Why::Inactive)
        );
    }

    #[test]
    fn gateway_of_either_family() {
        let mut e = BondEdit::default();
        e.set_gateway("fd00::9".parse().unwrap());
        let b = e.apply_to(&seed());
        assert_eq!(b.ipv6.gateway, Some("fd00::9".parse().unwrap()));
        assert_eq!(b.ipv4.gateway, seed().ipv4.gateway);
    }

    #[test]
    fn disabling_a_family_says_what_goes() {
        let e = BondEdit {
            ipv6: FamilyEdit {
                method: Some(IpMethod::Disabled),
                ..Default::default()
            },
            ..Default::default()
        };
        let b = e.apply_to(&seed());
        assert!(b.ipv6.addresses.is_empty() && b.ipv6.gateway.is_none());
        let c = e.consequences(&seed());
        assert_eq!(c.len(), 1);
        assert!(
            c[0].to_string().contains("fd00::2/64, fd00::3/64, fd00::1"),
            "{}",
            c[0]
        );
    }

    fn arb_family(f: Family) -> impl Strategy<Value = IpFamily> {
        let methods = IpMethod::known(f);
        let addr = move |n: u8, p: u8| match f {
            Family::V4 => IpAddress {
                address: IpAddr::from([10, 0, 0, n]),
                prefix: 8 + p % 24,
            },
            Family::V6 => IpAddress {
                address: IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, u16::from(n)]),
                prefix: 48 + p % 64,
            },
        };
        (
            0..methods.len(),
            proptest::collection::vec((any::<u8>(), any::<u8>()), 0..4),
            proptest::option::of(any::<u8>()),
            proptest::collection::vec(any::<u8>(), 0..3),
        )
            .prop_map(move |(m, addrs, gw, dns)| {
                let mut addresses: Vec<IpAddress> = Vec::new();
                for (n, p) in addrs {
                    let a = addr(n, p);
                    if !addresses.iter().any(|x| x.address == a.address) {
                        addresses.push(a);
                    }
                }
                IpFamily {
                    method: IpMethod::parse(methods[m]),
                    addresses,
                    gateway: gw.map(|n| addr(n, 0).address),
                    dns: dns.into_iter().map(|n| addr(n, 0).address).collect(),
                }
            })
    }

    fn arb_config() -> impl Strategy<Value = BondConfig> {
        let modes = super::super::options::MODE_NAMES;
        let opts = [
            ("miimon", vec!["0", "100", "200"]),
            ("lacp_rate", vec!["slow", "fast", "0", "1"]),
            ("primary", vec!["eno1", "eno2"]),
            ("xmit_hash_policy", vec!["layer2", "layer3+4", "1"]),
            ("updelay", vec!["0", "200"]),
        ];
        (
            0..modes.len(),
            proptest::collection::vec((0..opts.len(), any::<u8>()), 0..5),
            proptest::collection::vec(0..4usize, 0..4),
            arb_family(Family::V4),
            arb_family(Family::V6),
            proptest::option::of(prop_oneof![Just(1500u32), Just(9000)]),
            proptest::option::of(prop_oneof![
                Just("stable".to_string()),
                Just("52:54:00:12:34:56".to_string())
            ]),
        )
            .prop_map(move |(m, os, ports, v4, v6, mtu, mac)| {
                let mut c = BondConfig::new("bond0", modes[m]);
                let mode = BondMode::parse(modes[m]).unwrap();
                for (i, n) in os {
                    let (k, vals) = &opts[i];
                    // A profile as NM stores it: only options its mode keeps.
                    if spec(k).unwrap().kept_in(mode) {
                        c.options
                            .insert(k.to_string(), vals[n as usize % vals.len()].to_string());
                    }
                }
                for p in ports {
                    let name = format!("eno{}", p + 1);
                    if !c.ports.contains(&name) {
                        c.ports.push(name);
                    }
                }
                c.ipv4 = v4;
                c.ipv6 = v6;
                c.mtu = mtu;
                c.mac = mac;
                c
            })
    }

    proptest! {
        #[test]
        fn apply_to_between_gives_the_target(a in arb_config(), b in arb_config()) {
            let e = BondEdit::between(&a, &b);
            let got = e.apply_to(&a);
            prop_assert!(same_options(&got.options, &b.options), "{:?} vs {:?}", got.options, b.options);
            let mut got2 = got.clone();
            got2.options = b.options.clone();
            let mut b2 = b.clone();
            b2.ports.sort();
            got2.ports.sort();
            prop_assert_eq!(got2, b2);
            // And an edit from a configuration to itself names nothing.
            prop_assert!(BondEdit::between(&a, &a).is_empty());
        }
    }
}
