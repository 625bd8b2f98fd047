//! The draft checker against the drafts in tests/drafts/cases.txt: the walkthrough's own
//! networkd and nmcli examples and drafts with invented or misspelled options, each with the
//! findings it must give. Pure text in, findings out: no daemon is involved in checking.

use bondkit::draft::{check, Finding, Severity, Source};

struct Expect {
    severity: Severity,
    file: String,
    line: usize,
    code: String,
    text: String,
}

struct Case {
    name: String,
    sources: Vec<Source>,
    expects: Vec<Expect>,
    no_errors: bool,
}

fn cases() -> Vec<Case> {
    let text = include_str!("drafts/cases.txt");
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("== ") {
            cases.push(Case {
                name: name.to_string(),
                sources: Vec::new(),
                expects: Vec::new(),
                no_errors: false,
            });
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if let Some(file) = line.strip_prefix("-- ") {
            case.sources.push(Source::new(file, ""));
        } else if let Some(e) = line.strip_prefix("=> ") {
            if e == "no errors" {
                case.no_errors = true;
                continue;
            }
            let mut parts = e.splitn(4, ' ');
            let severity = match parts.next() {
                Some("error") => Severity::Error,
                Some("warning") => Severity::Warning,
                other => panic!("{}: bad severity {other:?}", case.name),
            };
            let (file, line) = parts
                .next()
                .and_then(|p| p.rsplit_once(':'))
                .unwrap_or_else(|| panic!("{}: FILE:LINE", case.name));
            case.expects.push(Expect {
                severity,
                file: file.to_string(),
                line: line.parse().expect("line number"),
                code: parts.next().expect("code").to_string(),
                text: parts.next().unwrap_or("").to_string(),
            });
        } else if let Some(src) = case.sources.last_mut() {
            if case.expects.is_empty() {
                src.text.push_str(line);
                src.text.push('\n');
            }
        }
    }
    cases
}

fn code(f: &Finding) -> String {
    serde_json::to_value(f.message.code)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

fn show(fs: &[Finding]) -> String {
    fs.iter()
        .map(|f| {
            format!(
                "  {:?} {}:{} {} {}",
                f.severity,
                f.file,
                f.line,
                code(f),
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_draft_gets_its_findings() {
    let cases = cases();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let mut failed = Vec::new();
    for case in &cases {
        let report = check(&case.sources);
        let fs = &report.findings;
        let mut why = Vec::new();
        for e in &case.expects {
            let hit = fs.iter().any(|f| {
                f.severity == e.severity
                    && f.file == e.file
                    && f.line == e.line
                    && code(f) == e.code
                    && f.message.to_string().contains(&e.text)
            });
            if !hit {
                why.push(format!(
                    "missing {:?} {}:{} {} {:?}",
                    e.severity, e.file, e.line, e.code, e.text
                ));
            }
        }
        // The errors are exactly those listed.
        for f in fs.iter().filter(|f| f.severity == Severity::Error) {
            let listed = case.expects.iter().any(|e| {
                e.severity == Severity::Error
                    && e.file == f.file
                    && e.line == f.line
                    && e.code == code(f)
            });
            if !listed {
                why.push(format!(
                    "unexpected error {}:{} {} {}",
                    f.file,
                    f.line,
                    code(f),
                    f.message
                ));
            }
        }
        if case.no_errors && report.worst() == Some(Severity::Error) {
            why.push("errors where none were expected".into());
        }
        if why.is_empty() {
            println!("ok: {}", case.name);
        } else {
            failed.push(format!(
                "{}:\n  {}\n findings:\n{}",
                case.name,
                why.join("\n  "),
                show(fs)
            ));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n\n"));
}

#[test]
fn the_articles_nmcli_draft_imports_as_its_bond() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "the article's nmcli sequence")
        .unwrap();
    let (cfg, _) = bondkit::draft::import(&case.sources).expect("imports");
    assert_eq!(cfg.name, "bond0");
    assert_eq!(cfg.options["mode"], "active-backup");
    assert_eq!(cfg.options["miimon"], "100");
    assert_eq!(cfg.ports, ["eno1", "eno2"]);
    assert_eq!(
        cfg.ipv4.summary(),
        "manual 192.168.10.20/24 via 192.168.10.1; DNS 192.168.10.1"
    );
}

#[test]
fn exit_codes_say_clean_warnings_errors() {
    let cases = cases();
    let code_of =
        |name: &str| check(&cases.iter().find(|c| c.name == name).unwrap().sources).exit_code();
    assert_eq!(code_of("the article's nmcli sequence"), 0);
    assert_eq!(
        code_of("the article's nmcli sequence with its LACP variant"),
        1
    );
    assert_eq!(
        code_of("the article's systemd-networkd example: one error, the typo"),
        2
    );
}
