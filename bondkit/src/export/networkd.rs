//! systemd-networkd files: the bond's `.netdev`, one `.network` per port (`Bond=`, and
//! `PrimarySlave=yes` on the primary's) and the bond's own `.network` with its IP settings.
//! Only keys Debian 12's systemd 252 knows are written as keys; a newer key is written as a
//! comment that says which systemd it needs.

use super::{cannot_say, left_out_comment, ExportFile, Format};
use crate::model::option_formats::{NetworkdValue, SYSTEMD_BASELINE};
use crate::model::validate::canonical_value;
use crate::model::{spec, BondConfig, Code, IpMethod, Message, OptionMap, OPTIONS, SPECIAL_MACS};
use std::fmt::Write;

/// The networkd spelling of an NM option value.
pub fn value(kind: NetworkdValue, name: &str, v: &str) -> String {
    let v = canonical_value(name, v);
    match kind {
        NetworkdValue::Millis => format!("{v}ms"),
        NetworkdValue::Seconds => format!("{v}s"),
        NetworkdValue::Bool => (if v == "1" { "yes" } else { "no" }).to_string(),
        NetworkdValue::SpaceList => v.split(',').collect::<Vec<_>>().join(" "),
        NetworkdValue::Plain | NetworkdValue::PortFlag => v,
    }
}

/// The `[Bond]` lines, what they leave out, and the primary port if any.
fn bond_section(options: &OptionMap, left_out: &mut Vec<Message>) -> (String, Option<String>) {
    let mut out = String::new();
    let mut primary = None;
    let mut written: Vec<&str> = Vec::new();
    for o in OPTIONS {
        let Some(v) = options.get(o.name) else {
            continue;
        };
        let Some(key) = o.networkd else {
            left_out.push(cannot_say(&format!("{}={v}", o.name), Format::Networkd));
            continue;
        };
        let canonical = canonical_value(o.name, v);
        if key
            .choices
            .is_some_and(|c| !c.contains(&canonical.as_str()))
        {
            left_out.push(cannot_say(&format!("{}={v}", o.name), Format::Networkd));
            continue;
        }
        if key.value == NetworkdValue::PortFlag {
            primary = Some(canonical);
            continue;
        }
        if written.contains(&key.key) {
            continue;
        }
        written.push(key.key);
        let line = format!("{}={}", key.key, value(key.value, o.name, v));
        if key.since > SYSTEMD_BASELINE {
            let _ = writeln!(out, "# {line}");
            left_out.push(Message::new(
                Code::ExportNeedsNewerSystemd,
                [
                    format!("{}={v}", o.name),
                    key.key.to_string(),
                    key.since.to_string(),
                ],
            ));
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    for (k, v) in options.iter().filter(|(k, _)| spec(k).is_none()) {
        left_out.push(cannot_say(&format!("{k}={v}"), Format::Networkd));
    }
    (out, primary)
}

/// `DHCP=`, `LinkLocalAddressing=` and `IPv6AcceptRA=` for the two methods.
fn network_section(cfg: &BondConfig, left_out: &mut Vec<Message>) -> String {
    let (v4, v6) = (&cfg.ipv4.method, &cfg.ipv6.method);
    for (fam, m) in [("ipv4", v4), ("ipv6", v6)] {
        let ok = match fam {
            "ipv4" => matches!(
                m,
                IpMethod::Auto | IpMethod::Manual | IpMethod::LinkLocal | IpMethod::Disabled
            ),
            _ => matches!(
                m,
                IpMethod::Auto
                    | IpMethod::Dhcp
                    | IpMethod::Manual
                    | IpMethod::LinkLocal
                    | IpMethod::Disabled
            ),
        };
        if !ok {
            left_out.push(cannot_say(&format!("{fam}.method={m}"), Format::Networkd));
        }
    }
    let dhcp4 = *v4 == IpMethod::Auto;
    let dhcp6 = *v6 == IpMethod::Dhcp;
    let dhcp = match (dhcp4, dhcp6) {
        (true, true) => "yes",
        (true, false) => "ipv4",
        (false, true) => "ipv6",
        (false, false) => "no",
    };
    let mut out = format!("DHCP={dhcp}\n");
    let ll4 = *v4 == IpMethod::LinkLocal;
    let ll6 = !matches!(v6, IpMethod::Disabled | IpMethod::Ignore);
    let lla = match (ll4, ll6) {
        (true, true) => "yes",
        (true, false) => "ipv4",
        (false, true) => "ipv6",
        (false, false) => "no",
    };
    let _ = writeln!(out, "LinkLocalAddressing={lla}");
    let ra = if *v6 == IpMethod::Auto { "yes" } else { "no" };
    let _ = writeln!(out, "IPv6AcceptRA={ra}");
    for fam in [&cfg.ipv4, &cfg.ipv6] {
        for a in &fam.addresses {
            let _ = writeln!(out, "Address={a}");
        }
        if let Some(g) = fam.gateway {
            let _ = writeln!(out, "Gateway={g}");
        }
        for d in &fam.dns {
            let _ = writeln!(out, "DNS={d}");
        }
    }
    out
}

/// The files, named so networkd reads the bond before its ports and the ports before the
/// bond's own network.
pub fn files(cfg: &BondConfig, options: &OptionMap) -> (Vec<ExportFile>, Vec<Message>) {
    let mut left_out = Vec::new();
    let (bond, primary) = bond_section(options, &mut left_out);
    let mut netdev = format!("[NetDev]\nName={}\nKind=bond\n", cfg.name);
    if let Some(m) = cfg.mtu {
        let _ = writeln!(netdev, "MTUBytes={m}");
    }
    match &cfg.mac {
        Some(mac) if SPECIAL_MACS.contains(&mac.as_str()) => left_out.push(cannot_say(
            &format!("ethernet.cloned-mac-address={mac}"),
            Format::Networkd,
        )),
        Some(mac) => {
            let _ = writeln!(netdev, "MACAddress={mac}");
        }
        None => {}
    }
    netdev.push_str("\n[Bond]\n");
    netdev.push_str(&bond);
    let mut ports = Vec::new();
    for (i, p) in cfg.ports.iter().enumerate() {
        let mut text = format!("[Match]\nName={p}\n\n[Network]\nBond={}\n", cfg.name);
        if primary.as_deref() == Some(p.as_str()) {
            text.push_str("PrimarySlave=yes\n");
        }
        if let Some(s) = cfg.port_settings.get(p).filter(|s| !s.is_empty()) {
            for spec in crate::model::PORT_OPTIONS {
                if let Some(v) = s.get(spec.name) {
                    left_out.push(cannot_say(
                        &format!("{p}: bond-port.{}={v}", spec.name),
                        Format::Networkd,
                    ));
                }
            }
        }
        ports.push(ExportFile {
            name: format!("{}-{}-{p}.network", 20 + i.min(9), cfg.name),
            text,
            private: false,
        });
    }
    let network = format!(
        "[Match]\nName={}\n\n[Network]\n{}",
        cfg.name,
        network_section(cfg, &mut left_out)
    );
    let head = format!(
        "# Bond {} as made by Bondsmith, for systemd-networkd {SYSTEMD_BASELINE} or newer.\n{}",
        cfg.name,
        left_out_comment(&left_out)
    );
    let mut files = vec![ExportFile {
        name: format!("10-{}.netdev", cfg.name),
        text: format!("{head}{netdev}"),
        private: false,
    }];
    files.extend(ports.into_iter().map(|mut f| {
        f.text = format!("{head}{}", f.text);
        f
    }));
    files.push(ExportFile {
        name: format!("30-{}.network", cfg.name),
        text: format!("{head}{network}"),
        private: false,
    });
    (files, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Family, IpAddress, IpFamily, NmVersion};

    fn article_bond() -> BondConfig {
        let mut c = BondConfig::new("bond0", "active-backup");
        for (k, v) in [
            ("miimon", "100"),
            ("primary", "eno1"),
            ("primary_reselect", "always"),
        ] {
            c.options.insert(k.into(), v.into());
        }
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(IpAddress::parse_list("192.168.10.20/24", Family::V4).unwrap());
        c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
        c.ipv4.dns = vec!["192.168.10.1".parse().unwrap()];
        c.ipv6 = IpFamily::with_method(IpMethod::Disabled);
        c
    }

    #[test]
    fn the_articles_bond_as_networkd() {
        let c = article_bond();
        let v = c.check(NmVersion::OLDEST);
        let (f, left) = files(&c, &v.normalized);
        assert!(left.is_empty(), "{left:?}");
        let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "10-bond0.netdev",
                "20-bond0-eno1.network",
                "21-bond0-eno2.network",
                "30-bond0.network"
            ]
        );
        assert!(f[0].text.contains("[NetDev]\nName=bond0\nKind=bond\n\n[Bond]\nMode=active-backup\nMIIMonitorSec=100ms\nPrimaryReselectPolicy=always\n"), "{}", f[0].text);
        assert!(f[1]
            .text
            .ends_with("[Network]\nBond=bond0\nPrimarySlave=yes\n"));
        assert!(!f[2].text.contains("PrimarySlave"));
        assert!(f[3].text.contains("DHCP=no\nLinkLocalAddressing=no\nIPv6AcceptRA=no\nAddress=192.168.10.20/24\nGateway=192.168.10.1\nDNS=192.168.10.1\n"), "{}", f[3].text);
    }

    #[test]
    fn newer_and_unsayable_options_are_listed() {
        let mut c = article_bond();
        c.options.insert("arp_missed_max".into(), "3".into());
        c.options.insert("use_carrier".into(), "0".into());
        c.options.insert("lp_interval".into(), "2".into());
        let (f, left) = files(&c, &c.options);
        let said: Vec<String> = left.iter().map(|m| m.to_string()).collect();
        assert!(said.iter().any(|s| s.contains("use_carrier=0")), "{said:?}");
        assert!(
            said.iter()
                .any(|s| s.contains("ARPMissedMax") && s.contains("256")),
            "{said:?}"
        );
        assert!(f[0].text.contains("\n# ARPMissedMax=3\n"), "{}", f[0].text);
        assert!(
            f[0].text.contains("\nLearnPacketIntervalSec=2s\n"),
            "{}",
            f[0].text
        );
        assert!(
            f.iter().all(|f| f.text.contains("#   ")),
            "every file says what is left out"
        );
    }
}
