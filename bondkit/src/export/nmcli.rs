//! The nmcli commands that do what Bondsmith does over D-Bus: shown for review before
//! applying (`bondctl create --dry-run`, the GUI's Review page) and exported as a script.

use crate::model::{BondConfig, Ipv4Config, Ipv6Config, OptionMap};

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

/// `nmcli connection add` for one port profile of `cfg`.
fn port_command(cfg: &BondConfig, port: &str) -> String {
    let id = cfg.port_profile_name(port);
    cmd(&[
        "nmcli",
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        &id,
        "ifname",
        port,
        "connection.master",
        &cfg.name,
        "connection.slave-type",
        "bond",
    ])
}

/// The arguments that set a bond profile's IP, MTU and MAC settings.
pub fn ip_args(cfg: &BondConfig) -> Vec<String> {
    let mut a: Vec<String> = vec!["ipv4.method".into(), cfg.ipv4.method().into()];
    if let Ipv4Config::Manual { address, prefix } = &cfg.ipv4 {
        a.extend(["ipv4.addresses".into(), format!("{address}/{prefix}")]);
    }
    let (dns4, dns6): (Vec<_>, Vec<_>) = cfg.dns.iter().partition(|d| d.is_ipv4());
    let join = |v: Vec<&std::net::IpAddr>| {
        v.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    if let Some(gw @ std::net::IpAddr::V4(_)) = cfg.gateway {
        a.extend(["ipv4.gateway".into(), gw.to_string()]);
    }
    if !dns4.is_empty() {
        a.extend(["ipv4.dns".into(), join(dns4)]);
    }
    a.extend(["ipv6.method".into(), cfg.ipv6.method().into()]);
    if let Ipv6Config::Manual { address, prefix } = &cfg.ipv6 {
        a.extend(["ipv6.addresses".into(), format!("{address}/{prefix}")]);
    }
    if let Some(gw @ std::net::IpAddr::V6(_)) = cfg.gateway {
        a.extend(["ipv6.gateway".into(), gw.to_string()]);
    }
    if !dns6.is_empty() {
        a.extend(["ipv6.dns".into(), join(dns6)]);
    }
    if let Some(mtu) = cfg.mtu {
        a.extend(["ethernet.mtu".into(), mtu.to_string()]);
    }
    if let Some(mac) = &cfg.mac {
        a.extend(["ethernet.cloned-mac-address".into(), mac.clone()]);
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
    let ip = ip_args(cfg);
    bond.extend(ip.iter().map(String::as_str));
    let mut out = vec![cmd(&bond)];
    for port in &cfg.ports {
        out.push(port_command(cfg, port));
    }
    if activate {
        out.push(cmd(&["nmcli", "connection", "up", &cfg.name]));
    }
    out
}

/// The commands that turn the bond profile `id` from `before` into `after` (options already
/// normalized), given the profile names of the ports that go.
pub fn modify_commands(
    id: &str,
    before: &BondConfig,
    after: &BondConfig,
    options: &OptionMap,
    removed_port_ids: &[String],
    activate: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut modify: Vec<String> = vec![
        "nmcli".into(),
        "connection".into(),
        "modify".into(),
        id.into(),
    ];
    if before.options != *options {
        modify.extend(["bond.options".into(), options_string(options)]);
    }
    let (old_ip, new_ip) = (ip_args(before), ip_args(after));
    if old_ip != new_ip {
        modify.extend(new_ip);
        // Settings that went away are cleared explicitly.
        for (key, gone) in [
            (
                "ipv4.gateway",
                before.gateway.is_some_and(|g| g.is_ipv4())
                    && !after.gateway.is_some_and(|g| g.is_ipv4()),
            ),
            (
                "ipv6.gateway",
                before.gateway.is_some_and(|g| g.is_ipv6())
                    && !after.gateway.is_some_and(|g| g.is_ipv6()),
            ),
            ("ethernet.mtu", before.mtu.is_some() && after.mtu.is_none()),
            (
                "ethernet.cloned-mac-address",
                before.mac.is_some() && after.mac.is_none(),
            ),
        ] {
            if gone {
                modify.extend([key.to_string(), String::new()]);
            }
        }
    }
    if modify.len() > 4 {
        out.push(cmd(&modify.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    for port_id in removed_port_ids {
        out.push(cmd(&["nmcli", "connection", "delete", port_id]));
    }
    for port in after.ports.iter().filter(|p| !before.ports.contains(p)) {
        out.push(port_command(after, port));
    }
    if activate && !out.is_empty() {
        out.push(cmd(&["nmcli", "connection", "up", id]));
    }
    out
}

/// A runnable script for fleets: stops on the first error.
pub fn script(cfg: &BondConfig, options: &OptionMap) -> String {
    let mut s = String::from("#!/bin/sh\n# Bond ");
    s.push_str(&cfg.name);
    s.push_str(" as made by Bondsmith. Run as root on a host with NetworkManager.\nset -e\n");
    for line in create_commands(cfg, options, true) {
        s.push_str(&line);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NmVersion;

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
        c.ipv4 = Ipv4Config::parse("192.168.10.20/24").unwrap();
        c.gateway = Some("192.168.10.1".parse().unwrap());
        c.dns = vec!["192.168.10.1".parse().unwrap()];
        c.ipv6 = Ipv6Config::Disabled;
        let v = c.check(NmVersion::OLDEST);
        assert_eq!(create_commands(&c, &v.normalized, true), vec![
            "nmcli connection add type bond con-name bond0 ifname bond0 connection.autoconnect-slaves 1 bond.options mode=active-backup,miimon=100 ipv4.method manual ipv4.addresses 192.168.10.20/24 ipv4.gateway 192.168.10.1 ipv4.dns 192.168.10.1 ipv6.method disabled",
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
