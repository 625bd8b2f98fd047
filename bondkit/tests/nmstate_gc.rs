//! nmstate YAML read by nmstate itself: `nmstatectl gc FILE` (nmstate's own offline
//! generator, no NetworkManager needed) turns each exported file, for one bond of each of the
//! 7 modes, into NetworkManager keyfiles whose bond options equal those of Bondsmith's own
//! keyfile export, and whose ports name the bond. The kubernetes-nmstate policy holds the
//! same state. `nmstatectl apply` against a real NetworkManager runs in test bed B
//! (tests/vm_exports.rs). scripts/deps.sh installs nmstatectl (cargo install --locked).

mod support;

use bondkit::export::{export, Format};
use bondkit::model::validate::canonical_value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn nmstatectl() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin/nmstatectl");
    let found = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("nmstatectl"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain([home])
        .find(|p| p.exists());
    found.unwrap_or_else(|| {
        panic!("nmstatectl is missing: scripts/deps.sh nmstate installs it (cargo install --locked nmstatectl)")
    })
}

/// The keyfiles in `nmstatectl gc`'s output: file name → text.
fn gc(path: &std::path::Path) -> BTreeMap<String, String> {
    let o = Command::new(nmstatectl())
        .arg("gc")
        .arg(path)
        .env("RUST_LOG", "error")
        .output()
        .expect("nmstatectl runs");
    assert!(
        o.status.success(),
        "nmstatectl gc {} refused it:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // NetworkManager:
    // - - NAME.nmconnection
    //   - |
    //     [connection]…
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut files = BTreeMap::new();
    let mut cur: Option<(String, String)> = None;
    for line in out.lines() {
        if let Some(name) = line.strip_prefix("- - ") {
            files.extend(cur.take());
            cur = Some((name.trim().to_string(), String::new()));
        } else if let Some(text) = line.strip_prefix("    ") {
            if let Some((_, t)) = cur.as_mut() {
                t.push_str(text);
                t.push('\n');
            }
        } else if line.trim().is_empty() {
            if let Some((_, t)) = cur.as_mut() {
                t.push('\n');
            }
        }
    }
    files.extend(cur);
    files
}

/// `[section]` key → value of a keyfile.
fn section(text: &str, name: &str) -> BTreeMap<String, String> {
    let mut inside = false;
    let mut out = BTreeMap::new();
    for l in text.lines() {
        let l = l.trim();
        if l.starts_with('[') {
            inside = l == format!("[{name}]");
        } else if inside {
            if let Some((k, v)) = l.split_once('=') {
                out.insert(k.to_string(), v.to_string());
            }
        }
    }
    out
}

fn canonical(m: BTreeMap<String, String>) -> BTreeMap<String, String> {
    m.into_iter()
        .map(|(k, v)| {
            let c = canonical_value(&k, &v);
            (k, c)
        })
        .collect()
}

#[test]
fn nmstatectl_gc_makes_our_bond_options_for_every_mode() {
    let dir = std::env::temp_dir().join(format!("bsm-nmstate-gc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for cfg in support::bonds_of_every_mode() {
        let mode = cfg.options["mode"].clone();
        let ours = export(&cfg, &cfg.options, Format::Keyfile);
        for format in [Format::Nmstate, Format::Nncp] {
            let e = export(&cfg, &cfg.options, format);
            let path = bondkit::export::write_file(&dir, &e.files[0]).unwrap();
            let (yaml, policy) = if format == Format::Nncp {
                // nmstatectl reads the state inside the policy: spec.desiredState, unindented.
                let text = std::fs::read_to_string(&path).unwrap();
                let state: String = text
                    .lines()
                    .skip_while(|l| l.trim() != "desiredState:")
                    .skip(1)
                    .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
                    .collect();
                let p = dir.join(format!("{}-state.yml", cfg.name));
                std::fs::write(&p, state).unwrap();
                (p, true)
            } else {
                (path, false)
            };
            let made = gc(&yaml);
            let bond = made
                .get(&format!("{}.nmconnection", cfg.name))
                .unwrap_or_else(|| panic!("{mode}: no bond keyfile in {:?}", made.keys()));
            // Every option nmstate can say, as our keyfile says it; the rest were listed.
            let mut want = canonical(section(&ours.files[0].text, "bond"));
            for m in &e.left_out {
                let said = m.to_string();
                want.retain(|k, v| !said.contains(&format!("{k}={v}")));
            }
            let got = canonical(section(bond, "bond"));
            assert_eq!(got, want, "{mode} ({}): bond options", format.name());
            for port in &cfg.ports {
                let p = made
                    .get(&format!("{port}.nmconnection"))
                    .unwrap_or_else(|| panic!("{mode}: no keyfile for {port}"));
                let c = section(p, "connection");
                assert_eq!(
                    c.get("master").map(String::as_str),
                    Some(cfg.name.as_str()),
                    "{p}"
                );
                assert_eq!(c.get("slave-type").map(String::as_str), Some("bond"), "{p}");
            }
            println!(
                "{mode} ({}{}): nmstatectl gc gives our {} bond options{}",
                format.name(),
                if policy { ", its desiredState" } else { "" },
                want.len(),
                if e.left_out.is_empty() {
                    String::new()
                } else {
                    format!("; {} left out, as the file says", e.left_out.len())
                }
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
