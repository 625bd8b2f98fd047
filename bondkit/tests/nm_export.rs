//! Exports read back by their real consumer, NetworkManager (test bed A): for one bond of each
//! of the 7 modes with its options, the nmcli script run by the real nmcli, and the keyfiles
//! loaded by NM's keyfile plugin (`nmcli connection reload`), give profiles equal to the one
//! bondkit created over D-Bus: NM's own `GetSettings` maps, less uuid and timestamp.

mod support;

use bondkit::draft::{import, Source};
use bondkit::export::{export, Format};
use bondkit::model::BondConfig;
use bondkit::nm::proxies::{ConnectionProxy, SettingsProxy};
use bondkit::nm::ApplyOptions;
use std::collections::BTreeMap;
use support::{ok, Testbed};

fn main() {
    let bed = Testbed::start("export", &["p1", "p2"]);
    support::run_cases(
        &bed,
        cases![
            nmcli_scripts_make_equal_profiles,
            keyfiles_load_as_equal_profiles,
            every_format_imports_back_as_an_equal_profile,
            an_invalid_import_creates_nothing,
            bondctl_export_writes_each_format,
        ],
    );
}

/// A profile's settings as text, section → key → value, for comparing and for diffs.
type Flat = BTreeMap<String, BTreeMap<String, String>>;

/// Every profile NM holds, by id, flattened; uuid and timestamp left out (they differ by
/// nature), and a port's `master` given by the bond's name where NM stored its UUID.
async fn profiles(bed: &Testbed) -> BTreeMap<String, Flat> {
    let nm = bed.client().await;
    let conn = nm.connection();
    let settings = SettingsProxy::new(conn).await.unwrap();
    let mut raw = Vec::new();
    for path in settings.list_connections().await.unwrap() {
        let c = ConnectionProxy::builder(conn)
            .path(path)
            .unwrap()
            .build()
            .await
            .unwrap();
        raw.push(c.get_settings().await.unwrap());
    }
    let mut flat: Vec<Flat> = raw
        .iter()
        .map(|s| {
            s.iter()
                .map(|(sec, kv)| {
                    let kv = kv
                        .iter()
                        .filter(|(k, _)| {
                            !(sec == "connection" && (*k == "uuid" || *k == "timestamp"))
                        })
                        .map(|(k, v)| (k.clone(), text(v)))
                        .collect();
                    (sec.clone(), kv)
                })
                .collect()
        })
        .collect();
    let uuid_to_id: BTreeMap<String, String> = raw
        .iter()
        .filter_map(|s| {
            let c = s.get("connection")?;
            Some((text(c.get("uuid")?), text(c.get("id")?)))
        })
        .collect();
    for f in &mut flat {
        if let Some(m) = f.get_mut("connection").and_then(|c| c.get_mut("master")) {
            if let Some(id) = uuid_to_id.get(m) {
                *m = id.clone();
            }
        }
    }
    flat.into_iter()
        .filter_map(|f| {
            let id = f.get("connection")?.get("id")?.clone();
            Some((id, f))
        })
        .filter(|(id, _)| id != "lo")
        .collect()
}

/// A string value as itself, anything else as zvariant prints it.
fn text(v: &zbus::zvariant::OwnedValue) -> String {
    v.try_clone()
        .ok()
        .and_then(|v| String::try_from(v).ok())
        .unwrap_or_else(|| format!("{v:?}"))
}

fn assert_equal(what: &str, want: &BTreeMap<String, Flat>, got: &BTreeMap<String, Flat>) {
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "{what}: other profiles"
    );
    for (id, w) in want {
        let g = &got[id];
        for sec in w.keys().chain(g.keys()) {
            assert_eq!(
                w.get(sec),
                g.get(sec),
                "{what}: profile {id}, setting {sec}"
            );
        }
    }
    println!("    {what}: {} profiles equal", want.len());
}

/// Creates `cfg` through bondkit's D-Bus path and returns NM's view of every profile.
async fn original(bed: &Testbed, cfg: &BondConfig) -> BTreeMap<String, Flat> {
    bed.reset();
    let nm = bed.client().await;
    let opts = ApplyOptions {
        activate: false,
        ..Default::default()
    };
    nm.create_bond(cfg, &opts, &|_| {}).await.unwrap();
    let p = profiles(bed).await;
    assert_eq!(p.len(), 3, "{:?}", p.keys());
    p
}

async fn nmcli_scripts_make_equal_profiles(bed: &Testbed) {
    for cfg in support::bonds_of_every_mode() {
        let want = original(bed, &cfg).await;
        // The host has no bonding driver: the script without its final `connection up`.
        let with_up = export(&cfg, &cfg.options, Format::Nmcli).files[0]
            .text
            .clone();
        let script = bondkit::export::nmcli::script(&cfg, &cfg.options, false);
        assert_eq!(
            with_up,
            format!("{script}nmcli connection up {}\n", cfg.name)
        );
        bed.reset();
        let path = bed.dir().join("export.sh");
        std::fs::write(&path, &script).unwrap();
        let o = std::process::Command::new("sh")
            .arg(&path)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
            .output()
            .unwrap();
        ok(&o);
        assert_equal(
            &format!("{} nmcli script", cfg.options["mode"]),
            &want,
            &profiles(bed).await,
        );
    }
}

async fn keyfiles_load_as_equal_profiles(bed: &Testbed) {
    use std::os::unix::fs::PermissionsExt;
    let dir = bed.dir().join("system-connections");
    for cfg in support::bonds_of_every_mode() {
        let want = original(bed, &cfg).await;
        bed.reset();
        let e = export(&cfg, &cfg.options, Format::Keyfile);
        assert!(e.left_out.is_empty());
        for f in &e.files {
            let path = dir.join(&f.name);
            std::fs::write(&path, &f.text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        ok(&bed.nmcli(&["connection", "reload"]));
        let got = profiles(bed).await;
        assert_equal(&format!("{} keyfiles", cfg.options["mode"]), &want, &got);
        for f in &e.files {
            let _ = std::fs::remove_file(dir.join(&f.name));
        }
    }
    bed.reset();
    ok(&bed.nmcli(&["connection", "reload"]));
}

async fn every_format_imports_back_as_an_equal_profile(bed: &Testbed) {
    for cfg in support::portable_bonds() {
        let want = original(bed, &cfg).await;
        for format in Format::ALL {
            let e = export(&cfg, &cfg.options, format);
            assert!(e.left_out.is_empty(), "{}: {:?}", format.name(), e.left_out);
            let sources: Vec<Source> = e
                .files
                .iter()
                .map(|f| Source::new(&f.name, &f.text))
                .collect();
            let (back, findings) = import(&sources)
                .unwrap_or_else(|f| panic!("{} {}: {f:#?}", cfg.name, format.name()));
            assert!(
                findings
                    .iter()
                    .all(|f| f.severity == bondkit::draft::Severity::Warning),
                "{findings:?}"
            );
            assert_eq!(
                back,
                cfg,
                "{} through {}",
                cfg.options["mode"],
                format.name()
            );
            bed.reset();
            let nm = bed.client().await;
            let opts = ApplyOptions {
                activate: false,
                ..Default::default()
            };
            nm.create_bond(&back, &opts, &|_| {}).await.unwrap();
            assert_equal(
                &format!("{} imported from {}", cfg.options["mode"], format.name()),
                &want,
                &profiles(bed).await,
            );
        }
    }
}

/// An import with an error names the line and creates nothing, through bondctl as a user
/// runs it.
async fn an_invalid_import_creates_nothing(bed: &Testbed) {
    bed.reset();
    let path = bed.dir().join("bad.sh");
    std::fs::write(
        &path,
        "nmcli con add type bond ifname bond5 con-name bond5 bond.options \"mode=active-backup,miimon=100,lacp_rate=fast\"\n\
         nmcli con add type ethernet ifname p1 master bond5 con-name bond5-p1\n",
    )
    .unwrap();
    let o = bed.bondctl(&["import", "--no-activate", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("bad.sh:1: error: lacp_rate only works in mode 802.3ad"),
        "{err}"
    );
    assert!(err.contains("Nothing was created"), "{err}");
    assert!(bed.profiles().is_empty(), "{:?}", bed.profiles());
    // The same file fixed imports, through the checkpointed create.
    std::fs::write(
        &path,
        std::fs::read_to_string(&path)
            .unwrap()
            .replace(",lacp_rate=fast", ""),
    )
    .unwrap();
    ok(&bed.bondctl(&["import", "--no-activate", path.to_str().unwrap()]));
    assert_eq!(bed.profiles().len(), 2, "{:?}", bed.profiles());
    assert_eq!(
        bed.nmcli_get("bond5", "bond.options"),
        "mode=active-backup,miimon=100"
    );
}

/// `bondctl export` as a user runs it: files into a directory (keyfiles 0600), a format's
/// left-out options on stderr and in the file, and a name it does not know refused.
async fn bondctl_export_writes_each_format(bed: &Testbed) {
    use std::os::unix::fs::PermissionsExt;
    bed.reset();
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "bond",
        "con-name",
        "bond4",
        "ifname",
        "bond4",
        "bond.options",
        "mode=active-backup,miimon=100,use_carrier=0,primary=p1",
        "ipv4.method",
        "disabled",
        "ipv6.method",
        "disabled",
    ]));
    ok(&bed.nmcli(&[
        "connection",
        "add",
        "type",
        "ethernet",
        "con-name",
        "bond4-p1",
        "ifname",
        "p1",
        "master",
        "bond4",
        "slave-type",
        "bond",
    ]));
    let dir = bed.dir().join("exported");
    let o = bed.bondctl(&[
        "export",
        "bond4",
        "--format",
        "keyfile",
        "--output",
        dir.to_str().unwrap(),
    ]);
    let listed = ok(&o);
    for name in ["bond4.nmconnection", "bond4-p1.nmconnection"] {
        let path = dir.join(name);
        assert!(listed.contains(&path.display().to_string()), "{listed}");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
    let o = bed.bondctl(&[
        "export",
        "bond4",
        "--format",
        "networkd",
        "--output",
        dir.to_str().unwrap(),
    ]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("left out: systemd-networkd cannot express use_carrier=0"),
        "{err}"
    );
    let netdev = std::fs::read_to_string(dir.join("10-bond4.netdev")).unwrap();
    assert!(
        netdev.contains("#   systemd-networkd cannot express use_carrier=0"),
        "{netdev}"
    );
    let port = std::fs::read_to_string(dir.join("20-bond4-p1.network")).unwrap();
    assert!(port.contains("Bond=bond4\nPrimarySlave=yes\n"), "{port}");
    let o = bed.bondctl(&["export", "bond4", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(
        "'yaml' is not an export format; use one of nmcli, keyfile, nmstate, nncp, networkd."
    ));
    let o = bed.bondctl(&["export", "bond4", "--format", "nmstate", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&ok(&o).into_bytes()).unwrap();
    assert_eq!(v["files"][0]["name"], "bond4.yml");
    assert!(v["left_out"].as_array().unwrap().is_empty(), "{v}");
}
