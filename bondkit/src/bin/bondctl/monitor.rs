//! `bondctl monitor`: the redundancy alerts as lines (or JSON lines) for scripts, logs and
//! servers without a desktop. The judgement is bondkit's (monitor::watch); this prints it.

use bondkit::monitor::Alert;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(json: bool) -> ExitCode {
    match bondkit::kernel::read_bonds() {
        Ok(bonds) if bonds.is_empty() => {
            eprintln!("bondctl: watching for bonds (none yet); Ctrl-C stops.")
        }
        Ok(bonds) => {
            let names: Vec<&str> = bonds.iter().map(|b| b.name.as_str()).collect();
            eprintln!("bondctl: watching {}; Ctrl-C stops.", names.join(", "));
        }
        Err(e) => {
            eprintln!("bondctl: cannot read the kernel's bonds: {e}.");
            return ExitCode::from(3);
        }
    }
    let (tx, rx) = async_channel::unbounded();
    let watcher = tokio::spawn(bondkit::monitor::watch(tx));
    let mut out = std::io::stdout().lock();
    while let Ok(a) = rx.recv().await {
        let line = if json {
            serde_json::to_string(&a).expect("alerts serialize")
        } else {
            line(&a)
        };
        // A closed pipe (`bondctl monitor | head`) ends the watch.
        if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
            return ExitCode::SUCCESS;
        }
    }
    match watcher.await {
        Ok(Err(e)) => {
            eprintln!("bondctl: lost the kernel's link events: {e}.");
            ExitCode::from(3)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// "2026-12-02T09:30:01.250Z bond0 lost eno1: one more cable and the link is gone."
fn line(a: &Alert) -> String {
    format!(
        "{} {}",
        utc(a.event_unix_ms),
        a.render_body(&|t| t.to_string())
    )
}

/// RFC 3339 in UTC, from milliseconds since the epoch.
fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (year, month, day) = bondkit::clock::civil_date(secs);
    let t = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        t / 3600,
        t / 60 % 60,
        t % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::utc(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(super::utc(1_796_203_801_250), "2026-12-02T09:30:01.250Z");
    }
}
