//! `bondctl status NAME [--json] [--watch]`: the kernel's live view of a bond, merged with
//! NetworkManager's, with diagnostics; `--watch` prints every change as it happens.

use bondkit::kernel::{self, diagnose, Diagnostic, KernelBond, LinkEvents, NmView};
use bondkit::nm::{NmClient, NmError};
use serde::Serialize;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Serialize)]
struct Status<'a> {
    #[serde(flatten)]
    bond: &'a KernelBond,
    diagnostics: &'a [Diagnostic],
}

/// NM's side of the bond, when NM is reachable (status works without it).
async fn nm_view(name: &str) -> Option<NmView> {
    let nm = NmClient::system().await.ok()?;
    let bond = nm.find_bond(name).await.ok()?;
    let devices = nm.devices().await.ok()?;
    Some(NmView::of(&bond, &devices))
}

fn read(name: &str) -> Result<KernelBond, NmError> {
    kernel::netlink::read_bond(name)
        .map_err(|e| NmError::Refused(format!("Could not read the kernel's bond state over netlink: {e}.")))?
        .ok_or_else(|| NmError::NotFound(format!("There is no bond device {name} in the kernel; if its profile exists, bring it up with 'bondctl up {name}'.")))
}

fn print(b: &KernelBond, diags: &[Diagnostic], json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&Status {
                bond: b,
                diagnostics: diags
            })
            .expect("serializable")
        );
        return;
    }
    let active = b
        .active_port
        .as_deref()
        .map(|a| format!("  active port {a}"))
        .unwrap_or_default();
    println!(
        "{}  {}  miimon {} ms{active}{}",
        b.name,
        b.mode,
        b.miimon,
        if b.oper_up { "" } else { "  (down)" }
    );
    if let Some(ad) = &b.ad_info {
        println!(
            "  LACP: aggregator {}, {} ports, partner {}",
            ad.aggregator, ad.num_ports, ad.partner_mac
        );
    }
    let mut rows = vec![[
        "PORT",
        "STATE",
        "MII",
        "FAILURES",
        "SPEED",
        "DUPLEX",
        "AGGREGATOR",
        "PARTNER STATE",
    ]
    .map(String::from)
    .to_vec()];
    for p in &b.ports {
        rows.push(vec![
            p.name.clone(),
            p.state.clone(),
            p.mii.clone(),
            p.link_failures.to_string(),
            p.speed_mbps
                .map(|s| format!("{s} Mb/s"))
                .unwrap_or_else(|| "-".into()),
            p.duplex.clone().unwrap_or_else(|| "-".into()),
            p.aggregator_id
                .map(|a| a.to_string())
                .unwrap_or_else(|| "-".into()),
            if p.partner_state_words.is_empty() {
                "-".into()
            } else {
                p.partner_state_words.join(",")
            },
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("  {}", line.join("  ").trim_end());
    }
    for d in diags {
        println!("  ⚠ {}", d.message);
        if d.code == "nm_kernel_mismatch" {
            println!("    (bondctl up {})", b.name);
        }
    }
}

/// UTC wall-clock time of day with milliseconds, for --watch lines.
fn clock() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let s = now.as_secs();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60,
        now.subsec_millis()
    )
}

/// What changed between two readings, in words.
fn changes(old: &KernelBond, new: &KernelBond) -> Vec<String> {
    let mut out = Vec::new();
    if old.active_port != new.active_port {
        out.push(format!(
            "active port {} → {}",
            old.active_port.as_deref().unwrap_or("none"),
            new.active_port.as_deref().unwrap_or("none")
        ));
    }
    if old.oper_up != new.oper_up {
        out.push(format!(
            "{} {}",
            new.name,
            if new.oper_up { "up" } else { "down" }
        ));
    }
    if old.ad_info.as_ref().map(|a| &a.partner_mac) != new.ad_info.as_ref().map(|a| &a.partner_mac)
    {
        out.push(format!(
            "LACP partner {}",
            new.ad_info
                .as_ref()
                .map(|a| a.partner_mac.as_str())
                .unwrap_or("none")
        ));
    }
    for p in &new.ports {
        match old.ports.iter().find(|o| o.name == p.name) {
            None => out.push(format!("{} joined", p.name)),
            Some(o) => {
                if o.mii != p.mii {
                    out.push(format!("{}: MII {} → {}", p.name, o.mii, p.mii));
                }
                if o.state != p.state {
                    out.push(format!("{}: {} → {}", p.name, o.state, p.state));
                }
                if o.link_failures != p.link_failures {
                    out.push(format!(
                        "{}: link failures {} → {}",
                        p.name, o.link_failures, p.link_failures
                    ));
                }
                if o.aggregator_id != p.aggregator_id {
                    out.push(format!(
                        "{}: aggregator {:?} → {:?}",
                        p.name, o.aggregator_id, p.aggregator_id
                    ));
                }
                if o.partner_state != p.partner_state {
                    out.push(format!(
                        "{}: partner state {}",
                        p.name,
                        p.partner_state_words.join(",")
                    ));
                }
            }
        }
    }
    for o in old
        .ports
        .iter()
        .filter(|o| !new.ports.iter().any(|p| p.name == o.name))
    {
        out.push(format!("{} left", o.name));
    }
    out
}

pub async fn run(name: &str, json: bool, watch: bool) -> Result<(), NmError> {
    // Subscribe before the first read so that no change falls between the two.
    let events = if watch {
        Some(LinkEvents::subscribe().map_err(|e| {
            NmError::Refused(format!("Could not watch the kernel's link events: {e}."))
        })?)
    } else {
        None
    };
    let nm = nm_view(name).await;
    let mut current = read(name)?;
    print(&current, &diagnose(&current, nm.as_ref()), json);
    let Some(events) = events else { return Ok(()) };
    let started = Instant::now();
    while let Some(ev) = events.next().await {
        let relevant = ev.ifindex == current.ifindex
            || current.ports.iter().any(|p| p.ifindex == ev.ifindex)
            || ev.name.as_deref() == Some(name);
        if !relevant {
            continue;
        }
        // Several events often arrive together; one reading covers them all.
        events.drain();
        let next = match read(name) {
            Ok(b) => b,
            Err(e) if ev.removed => return Err(e),
            Err(_) => continue,
        };
        let what = changes(&current, &next);
        if what.is_empty() {
            continue;
        }
        let t = ev.at.duration_since(started).as_secs_f64() * 1000.0;
        if json {
            let diags = diagnose(&next, nm.as_ref());
            let line = serde_json::json!({ "time": clock(), "t_ms": (t * 10.0).round() / 10.0, "changes": what, "status": Status { bond: &next, diagnostics: &diags } });
            println!("{line}");
        } else {
            println!("{} (+{t:.1} ms)  {}", clock(), what.join("; "));
        }
        current = next;
    }
    Ok(())
}
