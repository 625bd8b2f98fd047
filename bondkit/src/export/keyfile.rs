//! NetworkManager keyfiles (`/etc/NetworkManager/system-connections/*.nmconnection`): the bond
//! profile and one per port, the same settings the D-Bus path creates. They carry no UUID:
//! NetworkManager derives one from the file name, so the same files make the same profiles on
//! every host of a fleet.

use super::ExportFile;
use crate::model::{BondConfig, Family, IpFamily, IpMethod, OptionMap, PortSettings};
use std::fmt::Write;

/// GKeyFile's escapes for a value: backslash, line breaks, tabs and a leading space.
pub fn escape(v: &str) -> String {
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' ' if i == 0 => out.push_str("\\s"),
            c => out.push(c),
        }
    }
    out
}

fn family(out: &mut String, f: Family, fam: &IpFamily) {
    let _ = writeln!(out, "\n[{}]", f.section());
    if f == Family::V6 {
        // A keyfile without it means the old eui64-or-default; profiles made over D-Bus or
        // by nmcli take "default" (NetworkManager's configured default).
        out.push_str("addr-gen-mode=default\n");
    }
    if !matches!(&fam.method, IpMethod::Other(m) if m.is_empty()) {
        let _ = writeln!(out, "method={}", escape(fam.method.as_str()));
    }
    for (i, a) in fam.addresses.iter().enumerate() {
        let _ = writeln!(out, "address{}={a}", i + 1);
    }
    if let Some(g) = fam.gateway {
        let _ = writeln!(out, "gateway={g}");
    }
    if !fam.dns.is_empty() {
        let list: String = fam.dns.iter().map(|d| format!("{d};")).collect();
        let _ = writeln!(out, "dns={list}");
    }
}

/// The bond profile's keyfile.
pub fn bond_keyfile(cfg: &BondConfig, options: &OptionMap) -> String {
    let mut out = format!(
        "# Bond {} as made by Bondsmith: a NetworkManager keyfile (mode 0600, owned by root).\n",
        cfg.name
    );
    out.push_str("[connection]\n");
    let _ = writeln!(out, "id={}", escape(&cfg.name));
    out.push_str("type=bond\n");
    let _ = writeln!(out, "interface-name={}", escape(&cfg.name));
    out.push_str("autoconnect-slaves=1\n");
    out.push_str("\n[ethernet]\n");
    if let Some(m) = cfg.mtu {
        let _ = writeln!(out, "mtu={m}");
    }
    if let Some(mac) = &cfg.mac {
        let _ = writeln!(out, "cloned-mac-address={}", escape(mac));
    }
    out.push_str("\n[bond]\n");
    let mut keys: Vec<&String> = options.keys().collect();
    keys.sort_by_key(|k| (k.as_str() != "mode", k.as_str()));
    for k in keys {
        let _ = writeln!(out, "{k}={}", escape(&options[k]));
    }
    family(&mut out, Family::V4, &cfg.ipv4);
    family(&mut out, Family::V6, &cfg.ipv6);
    out
}

/// A port profile's keyfile: `port` under the bond `master`.
pub fn port_keyfile(id: &str, port: &str, master: &str, settings: Option<&PortSettings>) -> String {
    let mut out = format!("# Port {port} of bond {master}, as made by Bondsmith.\n[connection]\n");
    let _ = writeln!(out, "id={}", escape(id));
    out.push_str("type=ethernet\n");
    let _ = writeln!(out, "interface-name={}", escape(port));
    let _ = writeln!(out, "master={}", escape(master));
    out.push_str("slave-type=bond\n\n[ethernet]\n\n[bond-port]\n");
    if let Some(s) = settings {
        if let Some(q) = s.queue_id {
            let _ = writeln!(out, "queue-id={q}");
        }
        if let Some(p) = s.prio {
            let _ = writeln!(out, "prio={p}");
        }
    }
    out
}

/// The bond's keyfile and one per port.
pub fn files(cfg: &BondConfig, options: &OptionMap) -> Vec<ExportFile> {
    let mut files = vec![ExportFile {
        name: format!("{}.nmconnection", cfg.name),
        text: bond_keyfile(cfg, options),
        private: true,
    }];
    for port in &cfg.ports {
        let id = cfg.port_profile_name(port);
        files.push(ExportFile {
            name: format!("{id}.nmconnection"),
            text: port_keyfile(&id, port, &cfg.name, cfg.port_settings.get(port)),
            private: true,
        });
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IpAddress, NmVersion};

    #[test]
    fn seed_bond_as_keyfiles() {
        let mut c = BondConfig::new("bond0", "active-backup");
        c.options.insert("miimon".into(), "100".into());
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(IpAddress::parse_list("192.168.10.20/24", Family::V4).unwrap());
        c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
        c.ipv4.dns = vec!["192.168.10.1".parse().unwrap()];
        c.port_settings.insert(
            "eno2".into(),
            PortSettings::parse_port("eno2:prio=5").unwrap().1,
        );
        let v = c.check(NmVersion::OLDEST);
        let f = files(&c, &v.normalized);
        assert_eq!(f.len(), 3);
        assert!(f[0]
            .text
            .contains("\n[bond]\nmode=active-backup\nmiimon=100\n"));
        assert!(f[0]
            .text
            .contains("[ipv4]\nmethod=manual\naddress1=192.168.10.20/24\ngateway=192.168.10.1\ndns=192.168.10.1;\n"));
        assert_eq!(f[1].name, "bond0-eno1.nmconnection");
        assert!(f[1].text.contains("master=bond0\nslave-type=bond\n"));
        assert!(f[2].text.ends_with("[bond-port]\nprio=5\n"));
        assert!(f.iter().all(|f| f.private && !f.text.contains("uuid=")));
    }

    #[test]
    fn escapes_like_gkeyfile() {
        assert_eq!(escape(" a\\b\nc"), "\\sa\\\\b\\nc");
        assert_eq!(escape("bond0"), "bond0");
    }
}
