//! Safe apply on real bonds: a bond made outside NM is shown, not edited; activation is
//! success only with a port joined; an edit of a running bond killed mid-way is restored
//! by NM's own checkpoint timer.

use super::reapply::{bring_up, run};
use super::support::{bondctl_path as support_bondctl, Testbed};
use std::process::Command;

/// A bond made with `ip link` gets a profile that NM generates (flag EXTERNAL): Bondsmith
/// shows it as such and refuses to edit it, instead of offering a form.
pub async fn an_ip_link_bond_is_shown_not_edited(bed: &Testbed) {
    let ns = bed.netns();
    for cmd in [
        vec!["-n", &ns, "link", "add", "bond9", "type", "bond"],
        vec!["-n", &ns, "addr", "add", "10.99.0.1/24", "dev", "bond9"],
        vec!["-n", &ns, "link", "set", "bond9", "up"],
    ] {
        let o = run(bed, "ip", &cmd);
        assert!(
            o.status.success(),
            "ip {cmd:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let nm = bed.client().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let bond = loop {
        let bonds = nm.list_bonds().await.unwrap();
        if let Some(b) = bonds.into_iter().find(|b| b.name() == "bond9") {
            break b;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "NM never listed the ip-link bond"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(bond.external, "an ip-link bond is not an editable profile");
    assert!(bond.in_memory);
    let o = bed.bondctl(&["edit", "bond9", "--mtu", "9000"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("made outside NetworkManager"), "{err}");
    let show = String::from_utf8_lossy(&bed.bondctl(&["show", "bond9"]).stdout).to_string();
    assert!(show.contains("read-only"), "{show}");
    let _ = run(bed, "ip", &["-n", &ns, "link", "del", "bond9"]);
}

/// bondctl with a pause after each step it announces on stderr (piped), so that a test can
/// act between two steps.
fn slow_bondctl(bed: &Testbed, args: &[&str]) -> std::process::Child {
    Command::new(support_bondctl())
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bed.bus)
        .env("BONDCTL_STEP_DELAY_MS", "1500")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs bondctl with a pause after each announced step and kills it with SIGKILL at the
/// step announced by `at`; returns when it is dead.
fn kill_bondctl_at(bed: &Testbed, args: &[&str], at: &str) {
    use std::io::{BufRead, BufReader};
    let mut child = slow_bondctl(bed, args);
    let mut seen = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains(at) {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        seen.iter().any(|l| l.contains(at)),
        "bondctl never reached '{at}': {seen:?}"
    );
}

/// An edit of a running bond killed right after the profile was updated: the bond ran it
/// when the checkpoint was taken, so NM restores the profile itself when nobody extends it.
pub async fn a_killed_edit_of_a_running_bond_is_restored_by_nm(bed: &Testbed) {
    bring_up(bed, "active-backup", "miimon=100");
    let get = || {
        String::from_utf8_lossy(
            &run(
                bed,
                "nmcli",
                &[
                    "-g",
                    "802-3-ethernet.mtu,bond.options",
                    "connection",
                    "show",
                    "bond0",
                ],
            )
            .stdout,
        )
        .trim()
        .to_string()
    };
    let before = get();
    kill_bondctl_at(
        bed,
        &["edit", "bond0", "--mtu", "1400", "--option", "miimon=300"],
        "Applying the change to the running bond0",
    );
    let killed = std::time::Instant::now();
    assert_ne!(get(), before, "the profile was not updated before the kill");
    while get() != before && killed.elapsed() < std::time::Duration::from_secs(10) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    println!(
        "  edit of a running bond killed after the update: NM restored the profile in {:.1} s",
        killed.elapsed().as_secs_f64()
    );
    assert_eq!(get(), before, "NM did not restore the profile within 10 s");
}

/// Activation is success only with a port: a bond that comes up bare is rolled back.
pub async fn a_bond_up_without_ports_is_not_success(bed: &Testbed) {
    bed.reset();
    let args = [
        "create",
        "bond0",
        "--mode",
        "active-backup",
        "--port",
        "eno1",
        "--ipv4",
        "disabled",
        "--ipv6",
        "disabled",
        "--timeout",
        "8",
    ];
    use std::io::{BufRead, BufReader};
    let mut child = slow_bondctl(bed, &args);
    let mut err = String::new();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        err.push_str(&line);
        err.push('\n');
        if line.contains("Activating bond0") {
            // The port profile goes while bondctl waits: the bond comes up with no port.
            let o = run(bed, "nmcli", &["connection", "delete", "bond0-eno1"]);
            assert!(o.status.success());
            break;
        }
    }
    for line in lines {
        err.push_str(&line.unwrap());
        err.push('\n');
    }
    let status = child.wait().unwrap();
    println!("  {}", err.trim().replace('\n', " | "));
    assert_eq!(status.code(), Some(3), "{err}");
    assert!(err.contains("no port joined"), "{err}");
    assert!(err.contains("rolled back"), "{err}");
    assert!(
        bed.profiles().is_empty(),
        "left behind: {:?}",
        bed.profiles()
    );
}
