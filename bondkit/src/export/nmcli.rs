//! The nmcli commands that do what Bondsmith does over D-Bus: shown for review before
//! applying (`bondctl create --dry-run`, the GUI's Review page) and exported as a script.

use crate::model::edit::creation_changes;
use crate::model::{ApplyPath, BondConfig, Change, OptionMap};
use crate::nm::EditPlan;

/// Quotes a word for a POSIX shell, leaving plain words alone.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,+@%".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `mode` first, then the rest by name, the order NM itself uses. nmcli separates options
/// with commas, so address lists inside an option are written with spaces.
pub fn options_string(options: &OptionMap) -> String {
    let mut keys: Vec<&String> = options.keys().collect();
    keys.sort_by_key(|k| (k.as_str() != "mode", k.as_str()));
    keys.iter()
        .map(|k| {
            let v = &options[*k];
            let v = if k.ends_with("_target") {
                v.split(',').map(str::trim).collect::<Vec<_>>().join(" ")
            } else {
                v.clone()
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn cmd(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `nmcli connection add` for one port profile `id` of the bond `master` (a name or UUID).
fn port_command(
    id: &str,
    port: &str,
    master: &str,
    settings: Option<&crate::model::PortSettings>,
) -> String {
    let extra = settings.map(|s| s.nmcli_args()).unwrap_or_default();
    let mut words = vec![
        "nmcli",
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        id,
        "ifname",
        port,
        "connection.master",
        master,
        "connection.slave-type",
        "bond",
    ];
    words.extend(extra.iter().map(String::as_str));
    cmd(&words)
}

fn join<T: ToString>(v: &[T]) -> String {
    v.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}

/// The nmcli property arguments for `changes`: the same keys the D-Bus path writes, and
/// an empty value where it clears one.
pub fn change_args(changes: &[Change]) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    for c in changes {
        let (k, v) = match c {
            Change::Options(o) => ("bond.options".to_string(), options_string(o)),
            Change::Method(f, m) => (format!("{}.method", f.section()), m.to_string()),
            Change::Addresses(f, l) => (format!("{}.addresses", f.section()), join(l)),
            Change::Gateway(f, g) => (
                format!("{}.gateway", f.section()),
                g.map(|g| g.to_string()).unwrap_or_default(),
            ),
            Change::Dns(f, d) => (format!("{}.dns", f.section()), join(d)),
            Change::Mtu(m) => ("ethernet.mtu".to_string(), m.unwrap_or(0).to_string()),
            Change::Mac(m) => (
                "ethernet.cloned-mac-address".to_string(),
                m.clone().unwrap_or_default(),
            ),
        };
        a.extend([k, v]);
    }
    a
}

/// The commands that create `cfg` with the (already normalized) `options`.
pub fn create_commands(cfg: &BondConfig, options: &OptionMap, activate: bool) -> Vec<String> {
    let opts = options_string(options);
    let mut bond = vec![
        "nmcli",
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        &cfg.name,
        "ifname",
        &cfg.name,
        "connection.autoconnect-slaves",
        "1",
        "bond.options",
        &opts,
    ];
    // The same list the D-Bus path writes.
    let changes = creation_changes(cfg, options);
    let ip = change_args(&changes);
    bond.extend(ip.iter().map(String::as_str));
    // The D-Bus path always gives the bond an ethernet setting (so a later MTU change can be
    // reapplied); "auto" makes nmcli create it empty, as NM's default MTU.
    if cfg.mtu.is_none() {
        bond.extend(["ethernet.mtu", "auto"]);
    }
    let mut out = vec![cmd(&bond)];
    for port in &cfg.ports {
        out.push(port_command(
            &cfg.port_profile_name(port),
            port,
            &cfg.name,
            cfg.port_settings.get(port),
        ));
    }
    if activate {
        out.push(cmd(&["nmcli", "connection", "up", &cfg.name]));
    }
    out
}

/// The commands that do what an edit plan does: modify the bond profile (only the keys that
/// change), delete and add port profiles, then reapply or re-activate as the plan says.
pub fn edit_commands(plan: &EditPlan) -> Vec<String> {
    let bond = &plan.bond;
    let reference: Vec<&str> = if plan.master == bond.settings.uuid {
        vec!["uuid", &bond.settings.uuid]
    } else {
        vec![&bond.settings.id]
    };
    let mut out = Vec::new();
    if !plan.changes.is_empty() {
        let mut modify: Vec<String> = ["nmcli", "connection", "modify"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        modify.extend(reference.iter().map(|s| s.to_string()));
        modify.extend(change_args(&plan.changes));
        out.push(cmd(&modify.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    for port_id in &plan.removed_port_ids {
        out.push(cmd(&["nmcli", "connection", "delete", port_id]));
    }
    for port in plan
        .after
        .ports
        .iter()
        .filter(|p| !plan.before.ports.contains(p))
    {
        out.push(port_command(
            &plan.after.port_profile_name(port),
            port,
            &plan.master,
            plan.after.port_settings.get(port),
        ));
    }
    // Kept ports whose bond-port settings change: only the keys that differ.
    for p in plan
        .bond
        .ports
        .iter()
        .filter(|p| plan.after.ports.contains(&p.interface))
    {
        let (old, new) = (
            plan.before
                .port_settings
                .get(&p.interface)
                .cloned()
                .unwrap_or_default(),
            plan.after
                .port_settings
                .get(&p.interface)
                .cloned()
                .unwrap_or_default(),
        );
        if old != new {
            let mut words = vec![
                "nmcli".to_string(),
                "connection".into(),
                "modify".into(),
                p.id.clone(),
            ];
            words.extend(new.changed_from(&old).nmcli_args());
            out.push(cmd(&words.iter().map(String::as_str).collect::<Vec<_>>()));
        }
    }
    match &plan.path {
        ApplyPath::Reapply => out.push(cmd(&["nmcli", "device", "reapply", bond.name()])),
        ApplyPath::Reactivate(_) => {
            let mut up = vec!["nmcli", "connection", "up"];
            up.extend(reference.iter());
            out.push(cmd(&up));
        }
        ApplyPath::Nothing | ApplyPath::ProfileOnly(_) => {}
    }
    out
}

/// A runnable script for fleets: stops on the first error; `activate` ends it with
/// `nmcli connection up`.
pub fn script(cfg: &BondConfig, options: &OptionMap, activate: bool) -> String {
    let mut s = String::from("#!/bin/sh\n# Bond ");
    s.push_str(&cfg.name);
    s.push_str(" as made by Bondsmith. Run as root on a host with NetworkManager.\nset -e\n");
    for line in create_commands(cfg, options, activate) {
        s.push_str(&line);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Family, IpAddress, IpFamily, NmVersion};

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("bond0"), "bond0");
        assert_eq!(
            shell_quote("mode=802.3ad,xmit_hash_policy=layer3+4"),
            "mode=802.3ad,xmit_hash_policy=layer3+4"
        );
        assert_eq!(shell_quote("my bond"), "'my bond'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn seed_bond_as_nmcli() {
        let mut c = BondConfig::new("bond0", "active-backup");
        c.options.insert("miimon".into(), "100".into());
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(IpAddress::parse_list("192.168.10.20/24", Family::V4).unwrap());
        c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
        c.ipv4.dns = vec!["192.168.10.1".parse().unwrap()];
        c.ipv6 = IpFamily::with_method(crate::model::IpMethod::Disabled);
        let v = c.check(NmVersion::OLDEST);
        assert_eq!(create_commands(&c, &v.normalized, true), vec![
            "nmcli connection add type bond con-name bond0 ifname bond0 connection.autoconnect-slaves 1 bond.options mode=active-backup,miimon=100 ipv4.method manual ipv4.addresses 192.168.10.20/24 ipv4.gateway 192.168.10.1 ipv4.dns 192.168.10.1 ipv6.method disabled ethernet.mtu auto",
            "nmcli connection add type ethernet con-name bond0-eno1 ifname eno1 connection.master bond0 connection.slave-type bond",
            "nmcli connection add type ethernet con-name bond0-eno2 ifname eno2 connection.master bond0 connection.slave-type bond",
            "nmcli connection up bond0",
        ]);
    }

    #[test]
    fn arp_targets_use_spaces_inside_the_option_list() {
        let o: OptionMap = [
            ("mode", "1"),
            ("arp_ip_target", "10.0.0.1,10.0.0.2"),
            ("arp_interval", "100"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            options_string(&o),
            "mode=1,arp_interval=100,arp_ip_target=10.0.0.1 10.0.0.2"
        );
    }
}
