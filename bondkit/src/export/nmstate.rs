//! nmstate 2.x YAML (`nmstatectl apply`, Ansible's `network_state`), optionally wrapped as a
//! kubernetes-nmstate `NodeNetworkConfigurationPolicy`. Bond options go under
//! `link-aggregation.options` by their nmstate names from the option table; a gateway becomes
//! the default route and DNS servers the resolver's, as nmstate models them.

use super::{cannot_say, left_out_comment, ExportFile, Format};
use crate::model::validate::canonical_value;
use crate::model::{spec, BondConfig, Family, IpFamily, IpMethod, Message, OptionMap, ValueKind};
use crate::model::{OPTIONS, SPECIAL_MACS};
use std::fmt::Write;

/// A YAML double-quoted string.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An option's value as nmstate writes it: numbers as numbers, NM's 0/1 and on/off as
/// booleans (all_slaves_active as dropped/delivered), address lists as nmstate takes them.
pub fn value(name: &str, v: &str, indent: &str) -> String {
    let v = canonical_value(name, v);
    match name {
        "use_carrier" | "tlb_dynamic_lb" | "balance-slb" => {
            (if v == "1" { "true" } else { "false" }).to_string()
        }
        "lacp_active" => (if v == "on" { "true" } else { "false" }).to_string(),
        "all_slaves_active" => (if v == "1" { "delivered" } else { "dropped" }).to_string(),
        "ns_ip6_target" => v
            .split(',')
            .map(|a| format!("\n{indent}- {}", quote(a)))
            .collect(),
        _ => match spec(name).map(|s| s.kind) {
            Some(ValueKind::Int { .. }) if v.parse::<u64>().is_ok() => v,
            _ => quote(&v),
        },
    }
}

fn family(out: &mut String, f: Family, fam: &IpFamily, left_out: &mut Vec<Message>) {
    let key = f.section();
    let _ = writeln!(out, "    {key}:");
    let v6 = f == Family::V6;
    match &fam.method {
        IpMethod::Disabled => out.push_str("      enabled: false\n"),
        IpMethod::Auto => {
            out.push_str("      enabled: true\n      dhcp: true\n");
            if v6 {
                out.push_str("      autoconf: true\n");
            }
        }
        IpMethod::Dhcp if v6 => {
            out.push_str("      enabled: true\n      dhcp: true\n      autoconf: false\n")
        }
        IpMethod::Manual => {
            out.push_str("      enabled: true\n      dhcp: false\n");
            if v6 {
                out.push_str("      autoconf: false\n");
            }
        }
        other => {
            left_out.push(cannot_say(
                &format!("{key}.method={other}"),
                Format::Nmstate,
            ));
            out.push_str("      enabled: true\n");
        }
    }
    if !fam.addresses.is_empty() {
        out.push_str("      address:\n");
        for a in &fam.addresses {
            let _ = writeln!(
                out,
                "      - ip: {}\n        prefix-length: {}",
                quote(&a.address.to_string()),
                a.prefix
            );
        }
    }
}

/// The YAML body: `interfaces`, and `routes` / `dns-resolver` when there is a gateway or DNS.
fn body(cfg: &BondConfig, options: &OptionMap, left_out: &mut Vec<Message>) -> String {
    let mut out = String::from("interfaces:\n");
    let _ = writeln!(
        out,
        "  - name: {}\n    type: bond\n    state: up",
        quote(&cfg.name)
    );
    if let Some(m) = cfg.mtu {
        let _ = writeln!(out, "    mtu: {m}");
    }
    match &cfg.mac {
        Some(mac) if SPECIAL_MACS.contains(&mac.as_str()) => left_out.push(cannot_say(
            &format!("ethernet.cloned-mac-address={mac}"),
            Format::Nmstate,
        )),
        Some(mac) => {
            let _ = writeln!(out, "    mac-address: {}", quote(mac));
        }
        None => {}
    }
    out.push_str("    link-aggregation:\n");
    let mode = options.get("mode").map(|m| canonical_value("mode", m));
    let _ = writeln!(
        out,
        "      mode: {}",
        quote(mode.as_deref().unwrap_or("balance-rr"))
    );
    let mut opts = String::new();
    // The table's order, so files diff well.
    for o in OPTIONS.iter().filter(|o| o.name != "mode") {
        let Some(v) = options.get(o.name) else {
            continue;
        };
        match o.nmstate {
            Some(n) => {
                let _ = writeln!(opts, "        {n}: {}", value(o.name, v, "          "));
            }
            None => left_out.push(cannot_say(&format!("{}={v}", o.name), Format::Nmstate)),
        }
    }
    for (k, v) in options.iter().filter(|(k, _)| spec(k).is_none()) {
        left_out.push(cannot_say(&format!("{k}={v}"), Format::Nmstate));
    }
    if !opts.is_empty() {
        out.push_str("      options:\n");
        out.push_str(&opts);
    }
    out.push_str("      port:\n");
    for p in &cfg.ports {
        let _ = writeln!(out, "      - {}", quote(p));
    }
    // nmstate wants every port in ports-config once one port is there.
    if cfg.port_settings.values().any(|s| !s.is_empty()) {
        out.push_str("      ports-config:\n");
        for p in &cfg.ports {
            let _ = writeln!(out, "      - name: {}", quote(p));
            let Some(s) = cfg.port_settings.get(p) else {
                continue;
            };
            if let Some(prio) = s.prio {
                let _ = writeln!(out, "        priority: {prio}");
            }
            if let Some(q) = s.queue_id {
                let _ = writeln!(out, "        queue-id: {q}");
            }
        }
    }
    family(&mut out, Family::V4, &cfg.ipv4, left_out);
    family(&mut out, Family::V6, &cfg.ipv6, left_out);
    let gateways: Vec<_> = [&cfg.ipv4, &cfg.ipv6]
        .iter()
        .filter_map(|f| f.gateway)
        .collect();
    if !gateways.is_empty() {
        out.push_str("routes:\n  config:\n");
        for g in gateways {
            let dest = if g.is_ipv4() { "0.0.0.0/0" } else { "::/0" };
            let _ = writeln!(
                out,
                "  - destination: {}\n    next-hop-address: {}\n    next-hop-interface: {}",
                quote(dest),
                quote(&g.to_string()),
                quote(&cfg.name)
            );
        }
    }
    let dns: Vec<_> = cfg.ipv4.dns.iter().chain(&cfg.ipv6.dns).collect();
    if !dns.is_empty() {
        out.push_str("dns-resolver:\n  config:\n    server:\n");
        for d in dns {
            let _ = writeln!(out, "    - {}", quote(&d.to_string()));
        }
    }
    out
}

/// The nmstate file, or with `nncp` the kubernetes-nmstate policy around it.
pub fn files(cfg: &BondConfig, options: &OptionMap, nncp: bool) -> (Vec<ExportFile>, Vec<Message>) {
    let mut left_out = Vec::new();
    let yaml = body(cfg, options, &mut left_out);
    let mut text = format!(
        "# Bond {} as made by Bondsmith, for nmstate 2.x.\n",
        cfg.name
    );
    if nncp {
        left_out = left_out
            .into_iter()
            .map(|m| {
                let mut m = m;
                if let Some(a) = m.args.get_mut(1) {
                    *a = Format::Nncp.title().into();
                }
                m
            })
            .collect();
    }
    text.push_str(&left_out_comment(&left_out));
    let (name, text) = if nncp {
        text.push_str(
            "apiVersion: nmstate.io/v1\nkind: NodeNetworkConfigurationPolicy\nmetadata:\n",
        );
        let _ = writeln!(
            text,
            "  name: {}\nspec:\n  desiredState:",
            quote(&format!("{}-policy", cfg.name))
        );
        for line in yaml.lines() {
            let _ = writeln!(text, "    {line}");
        }
        (format!("{}-nncp.yml", cfg.name), text)
    } else {
        text.push_str(&yaml);
        (format!("{}.yml", cfg.name), text)
    };
    (
        vec![ExportFile {
            name,
            text,
            private: false,
        }],
        left_out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IpAddress, NmVersion};

    #[test]
    fn lacp_bond_as_nmstate() {
        let mut c = BondConfig::new("bond0", "802.3ad");
        for (k, v) in [
            ("miimon", "100"),
            ("lacp_rate", "1"),
            ("xmit_hash_policy", "layer3+4"),
            ("use_carrier", "0"),
        ] {
            c.options.insert(k.into(), v.into());
        }
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(IpAddress::parse_list("192.168.10.20/24", Family::V4).unwrap());
        c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
        c.ipv6 = IpFamily::with_method(IpMethod::Disabled);
        let v = c.check(NmVersion::OLDEST);
        let (f, left) = files(&c, &v.normalized, false);
        assert!(left.is_empty(), "{left:?}");
        let t = &f[0].text;
        assert!(
            t.contains("      mode: \"802.3ad\"\n      options:\n        miimon: 100\n"),
            "{t}"
        );
        assert!(t.contains("        lacp_rate: \"fast\"\n"), "{t}");
        assert!(t.contains("        use_carrier: false\n"), "{t}");
        assert!(
            t.contains("      port:\n      - \"eno1\"\n      - \"eno2\"\n"),
            "{t}"
        );
        assert!(t.contains("next-hop-address: \"192.168.10.1\""), "{t}");
        assert!(t.contains("    ipv6:\n      enabled: false\n"), "{t}");
        let (n, _) = files(&c, &v.normalized, true);
        assert!(n[0].text.contains("kind: NodeNetworkConfigurationPolicy\n"));
        assert!(n[0]
            .text
            .contains("\n  desiredState:\n    interfaces:\n      - name: \"bond0\"\n"));
    }

    #[test]
    fn what_nmstate_cannot_say_is_listed() {
        let mut c = BondConfig::new("bond0", "active-backup");
        c.options.insert("miimon".into(), "100".into());
        c.options.insert("peer_notif_delay".into(), "200".into());
        c.ports = vec!["eno1".into()];
        c.ipv4 = IpFamily::with_method(IpMethod::LinkLocal);
        let (f, left) = files(&c, &c.options, false);
        let said: Vec<String> = left.iter().map(|m| m.to_string()).collect();
        assert!(
            said.iter().any(|s| s.contains("peer_notif_delay=200")),
            "{said:?}"
        );
        assert!(
            said.iter().any(|s| s.contains("ipv4.method=link-local")),
            "{said:?}"
        );
        assert!(f[0].text.contains("# Left out"), "{}", f[0].text);
        assert!(!f[0].text.contains("peer_notif_delay:"));
    }
}
