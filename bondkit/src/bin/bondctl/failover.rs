//! `bondctl failover-test NAME`: the failover engine with live progress on stderr, the
//! report on stdout (text or `--json`), and the history. Exit codes: 0 the test ran
//! (whatever the verdict), 2 refused or invalid, 3 NetworkManager failed, 4 not found.

use crate::args::FailoverArgs;
use bondkit::clock::Mono;
use bondkit::failover::{
    self, history, Action, MarkKind, Method, Phase, Report, TestError, TestEvent, TestRecord,
    TestRequest,
};
use bondkit::nm::NmClient;
use bondkit::probe::{KindChoice, ProbeEvent, ProbeKind};
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn refused(name: &str, sentence: &str, json: bool) -> ExitCode {
    eprintln!("bondctl: {sentence}");
    if json {
        let r = Report {
            bond: name.to_string(),
            refused: Some(sentence.to_string()),
            ..Default::default()
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&r).expect("serializable")
        );
    }
    ExitCode::from(2)
}

fn request(a: &FailoverArgs) -> Result<TestRequest, String> {
    let mut req = TestRequest::new(&a.name);
    req.method = Method::parse(&a.method).ok_or_else(|| {
        format!(
            "'{}' is not a method; use disconnect, link-down or cable.",
            a.method
        )
    })?;
    req.kind = match a.probe.as_str() {
        "auto" => KindChoice::Auto,
        "icmp" => KindChoice::Only(ProbeKind::Icmp),
        "tcp" => KindChoice::Only(ProbeKind::Tcp),
        other => {
            return Err(format!(
                "'{other}' is not a probe kind; use auto, icmp or tcp."
            ))
        }
    };
    if let Some(t) = &a.target {
        req.target = Some(t.parse().map_err(|_| {
            format!("'{t}' is not an IP address; give the target like 192.168.1.1 or fd00::1.")
        })?);
    }
    req.interval = Duration::from_millis(a.interval_ms);
    req.tcp_port = a.tcp_port;
    req.cable_timeout = Duration::from_secs(a.cable_timeout);
    Ok(req)
}

pub async fn run(a: FailoverArgs) -> ExitCode {
    if a.history {
        return list(&a.name, a.json);
    }
    let req = match request(&a) {
        Ok(r) => r,
        Err(e) => return refused(&a.name, &e, a.json),
    };
    let nm = match NmClient::system().await {
        Ok(nm) => nm,
        Err(e) => {
            eprintln!("bondctl: {}", e.message());
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let (tx, rx) = async_channel::unbounded();
    let engine = async {
        let r = failover::run(&nm, &req, &tx, None).await;
        drop(tx);
        r
    };
    let (result, ()) = tokio::join!(engine, progress(rx));
    match result {
        Ok(record) => finish(&record, &a),
        Err(TestError::Refused(m)) => refused(&a.name, &m.to_string(), a.json),
        Err(e) => {
            eprintln!("bondctl: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn finish(record: &TestRecord, a: &FailoverArgs) -> ExitCode {
    match history::save(&history::root(), record) {
        Ok(path) => eprintln!("· kept in {}", path.display()),
        Err(e) => eprintln!("bondctl: warning: the result was not kept in the history: {e}"),
    }
    if let Some(file) = &a.report {
        if let Err(e) = std::fs::write(file, record.to_markdown()) {
            eprintln!("bondctl: could not write {}: {e}", file.display());
            return ExitCode::from(2);
        }
    }
    let r = &record.report;
    if a.json {
        println!("{}", serde_json::to_string_pretty(r).expect("serializable"));
    } else {
        let f = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0} ms"));
        println!("{}", r.verdict.as_deref().unwrap_or(""));
        println!(
            "  probes      {} every {} ms to {}: {} sent, {} lost ({:.2} %)",
            r.probe_kind.map_or("", |k| k.name()),
            r.interval_ms.unwrap_or(0),
            r.target.as_deref().unwrap_or(""),
            r.sent.unwrap_or(0),
            r.lost.unwrap_or(0),
            r.loss_pct.unwrap_or(0.0)
        );
        println!("  outage      {}", f(r.longest_outage_ms));
        println!(
            "  kernel      {} from trigger to active-port change",
            f(r.kernel_failover_ms)
        );
        println!("  failback    {}", f(r.failback_outage_ms));
        println!(
            "  active      {} → {} → {}",
            r.active_before.as_deref().unwrap_or("–"),
            r.active_after.as_deref().unwrap_or("–"),
            r.active_final.as_deref().unwrap_or("–")
        );
    }
    ExitCode::SUCCESS
}

/// Live progress on stderr: a line per phase and mark, a running loss count each second,
/// and `ACTION:` lines that a person (or a lab script) acts on.
async fn progress(rx: async_channel::Receiver<TestEvent>) {
    let (mut sent, mut lost) = (0u64, 0u64);
    let mut last_count = Instant::now();
    let start = Mono::now();
    while let Ok(e) = rx.recv().await {
        match e {
            TestEvent::Phase { phase, port } => {
                let port = port.unwrap_or_default();
                let line = match phase {
                    Phase::Precheck => "checking the bond".to_string(),
                    Phase::Baseline => "baseline: probing the target for 1 s".to_string(),
                    Phase::Trigger => format!("taking {port} down"),
                    Phase::Observe => "watching the failover".to_string(),
                    Phase::Restore => format!("bringing {port} back"),
                    Phase::Failback => "watching for failback".to_string(),
                    Phase::Done => format!("done: {sent} probes sent, {lost} lost"),
                };
                eprintln!("· {line}");
            }
            TestEvent::Probe(p) => {
                match p {
                    ProbeEvent::Sent { .. } => sent += 1,
                    ProbeEvent::Lost { .. } => lost += 1,
                    ProbeEvent::Reply { .. } => {}
                }
                if last_count.elapsed() >= Duration::from_secs(1) {
                    last_count = Instant::now();
                    eprintln!("  {sent} sent, {lost} lost");
                }
            }
            TestEvent::Mark(m) => {
                let t = m.at.ms_after(start);
                let port = m.port.unwrap_or_default();
                let what = match m.kind {
                    MarkKind::Trigger => format!("{port} down"),
                    MarkKind::ActiveChanged => format!("active port is now {port}"),
                    MarkKind::Restore => format!("restoring {port}"),
                    MarkKind::PortBack => format!("{port} is back in the bond"),
                };
                eprintln!("  +{t:.0} ms  {what}");
            }
            TestEvent::Action(a) => match a {
                Action::Unplug(p) => eprintln!("ACTION: unplug the cable of {p}"),
                Action::Plug(p) => eprintln!("ACTION: plug the cable of {p} back in"),
            },
            TestEvent::Note(n) => eprintln!("note: {n}"),
        }
    }
}

fn list(name: &str, json: bool) -> ExitCode {
    let tests = history::list(&history::root(), name);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&tests).expect("serializable")
        );
        return ExitCode::SUCCESS;
    }
    if tests.is_empty() {
        println!("No failover test of {name} is kept yet; run bondctl failover-test {name}.");
        return ExitCode::SUCCESS;
    }
    for t in &tests {
        let r = &t.report;
        let f = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0} ms"));
        println!(
            "{}  {:<10}  outage {:>7}  failback {:>7}  {}",
            history::format_utc(t.finished_at),
            r.method.map_or("", |m| m.name()),
            f(r.longest_outage_ms),
            f(r.failback_outage_ms),
            r.verdict.as_deref().unwrap_or("")
        );
    }
    ExitCode::SUCCESS
}
