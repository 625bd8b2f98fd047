//! `bondctl check` and `bondctl import`: drafts read by bondkit's draft checker; an import
//! goes through the same validation and checkpointed create as `bondctl create`.

use crate::args::{CheckArgs, ImportArgs};
use bondkit::draft::{self, Finding, Severity, Source};
use bondkit::export::nmcli;
use bondkit::nm::{ApplyOptions, NmClient, NmError};
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

fn read_sources(files: &[std::path::PathBuf]) -> Result<Vec<Source>, String> {
    if files.is_empty() || files.iter().any(|f| f.as_os_str() == "-") && files.len() == 1 {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("Cannot read standard input: {e}."))?;
        return Ok(vec![Source::new("-", &text)]);
    }
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).map_err(|e| {
                format!(
                    "Cannot read {}: {e}; check the path and that you may read it.",
                    f.display()
                )
            })?;
            Ok(Source::new(
                &f.display().to_string(),
                &String::from_utf8_lossy(&bytes),
            ))
        })
        .collect()
}

fn line(f: &Finding) -> String {
    let place = if f.line > 0 {
        format!("{}:{}", f.file, f.line)
    } else {
        f.file.clone()
    };
    let sev = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{place}: {sev}: {}", f.message)
}

fn json(f: &Finding) -> serde_json::Value {
    serde_json::json!({
        "file": f.file,
        "line": f.line,
        "severity": f.severity,
        "code": f.message.code,
        "message": f.message.to_string(),
    })
}

/// Exit 0 clean, 1 warnings, 2 errors (and 2 when a file cannot be read).
pub fn check(a: CheckArgs) -> ExitCode {
    let sources = match read_sources(&a.files) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bondctl: {e}");
            return ExitCode::from(2);
        }
    };
    let report = draft::check(&sources);
    let (errors, warnings) = (
        report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count(),
    );
    if a.json {
        let v = serde_json::json!({
            "findings": report.findings.iter().map(json).collect::<Vec<_>>(),
            "errors": errors,
            "warnings": warnings,
            "bond": report.draft.to_config(),
        });
        println!("{}", serde_json::to_string_pretty(&v).expect("json"));
    } else {
        for f in &report.findings {
            println!("{}", line(f));
        }
        match (errors, warnings) {
            (0, 0) => println!("No problems found."),
            (e, w) => println!("{}, {}.", count(e, "error"), count(w, "warning")),
        }
    }
    ExitCode::from(report.exit_code())
}

pub async fn import(a: ImportArgs) -> Result<(), NmError> {
    let sources = read_sources(&a.files).map_err(NmError::Invalid)?;
    let (cfg, findings) = match draft::import(&sources) {
        Ok(x) => x,
        Err(findings) => {
            let mut text: Vec<String> = findings.iter().map(line).collect();
            text.push("Nothing was created: fix the errors above and import again.".into());
            return Err(NmError::Invalid(text.join("\n")));
        }
    };
    for f in &findings {
        eprintln!("{}", line(f));
    }
    if a.dry_run {
        let version = match NmClient::system().await {
            Ok(nm) => nm.version(),
            Err(_) => bondkit::model::NmVersion::NEWEST,
        };
        let verdict = cfg.check(version);
        let commands = nmcli::create_commands(&cfg, &verdict.normalized, !a.no_activate);
        return crate::output::dry_run(&verdict, &commands, a.json);
    }
    let nm = NmClient::system().await?;
    let opts = ApplyOptions {
        activate: !a.no_activate,
        activation_timeout: Duration::from_secs(a.timeout),
        confirm_timeout: Duration::from_secs(a.timeout + 60),
        ..Default::default()
    };
    let report = nm
        .create_bond(&cfg, &opts, &crate::progress(a.json))
        .await?;
    crate::output::applied("Imported", &report, a.json);
    Ok(())
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
