//! Drafts: bond configurations written by hand or by an assistant, in any format Bondsmith
//! exports (an nmcli script, NetworkManager keyfiles, nmstate YAML, systemd-networkd files,
//! plus a modprobe options file). Each is read into a [`Draft`]: the bond in NM's terms, with
//! the line each setting came from. [`check`] judges it with the one option table and NM's
//! rules and returns [`Finding`]s (file, line, severity, coded sentence); import turns the
//! same draft into a [`BondConfig`].
//!
//! Nothing here trusts its input: every parser takes any bytes and returns findings, never
//! panics (tests/draft_mutations.rs feeds them mutated drafts).

mod ini;
pub mod keyfile;
pub mod networkd;
pub mod nmcli;
pub mod nmstate;
mod rules;
mod yaml;

use crate::model::{BondConfig, Code, IpFamily, Message, PortSettings};
use serde::Serialize;
use std::collections::BTreeMap;

/// The formats a draft may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftFormat {
    Nmcli,
    Keyfile,
    Nmstate,
    Networkd,
    /// `/etc/modprobe.d/*.conf`: `options bonding …`.
    Modprobe,
}

impl DraftFormat {
    pub fn name(self) -> &'static str {
        match self {
            DraftFormat::Nmcli => "nmcli",
            DraftFormat::Keyfile => "keyfile",
            DraftFormat::Nmstate => "nmstate",
            DraftFormat::Networkd => "networkd",
            DraftFormat::Modprobe => "modprobe",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One thing said about a draft: where, how bad, and a sentence that names the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub file: String,
    /// 1-based; 0 when it concerns the whole file.
    pub line: usize,
    pub severity: Severity,
    pub message: Message,
}

/// One input: a file's name (or "-" for stdin) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: &str, text: &str) -> Source {
        Source {
            name: name.to_string(),
            text: text.to_string(),
        }
    }
}

/// A value and the place it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub file: String,
    pub line: usize,
}

/// The bond a draft describes, in NetworkManager's terms.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub name: Option<At<String>>,
    /// NM option names and values; a later assignment replaces an earlier one.
    pub options: BTreeMap<String, At<String>>,
    /// How the draft spells each option (`MIIMonitorSec` for miimon in networkd).
    pub spelled: BTreeMap<String, String>,
    /// The format leaves miimon at the kernel's 0 when unset (networkd), not NM's 100.
    pub miimon_defaults_to_zero: bool,
    pub ports: Vec<At<String>>,
    pub port_settings: BTreeMap<String, PortSettings>,
    pub ipv4: Option<IpFamily>,
    pub ipv6: Option<IpFamily>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
    /// The format of the part that defined the bond.
    pub format: Option<DraftFormat>,
    /// Where a `options bonding` line was, and whether it had max_bonds=0.
    pub modprobe: Option<(At<String>, bool)>,
    /// Where the draft set `ipv4`, `ipv6`, `mtu`, `mac`…: the line a finding about it names.
    pub places: BTreeMap<String, (String, usize)>,
}

impl Draft {
    pub fn set_option(&mut self, name: &str, value: &str, spelled: &str, file: &str, line: usize) {
        self.options.insert(
            name.to_string(),
            At {
                value: value.to_string(),
                file: file.to_string(),
                line,
            },
        );
        self.spelled.insert(name.to_string(), spelled.to_string());
    }

    pub fn mark(&mut self, field: &str, file: &str, line: usize) {
        self.places
            .entry(field.to_string())
            .or_insert_with(|| (file.to_string(), line));
    }

    /// The file and line a finding about `field` (an option, `ports`, `ipv4`, …) names.
    pub fn place(&self, field: &str) -> (String, usize) {
        if let Some(o) = self.options.get(field) {
            return (o.file.clone(), o.line);
        }
        if let Some(p) = self.places.get(field) {
            return p.clone();
        }
        if field == "ports" || field.starts_with("port:") {
            if let Some(p) = self.ports.first() {
                return (p.file.clone(), p.line);
            }
        }
        match &self.name {
            Some(n) => (n.file.clone(), n.line),
            None => (String::new(), 0),
        }
    }

    pub fn add_port(&mut self, port: &str, file: &str, line: usize) {
        if !self.ports.iter().any(|p| p.value == port) {
            self.ports.push(At {
                value: port.to_string(),
                file: file.to_string(),
                line,
            });
        }
    }

    /// The bond as a configuration to create, where the draft names a bond.
    pub fn to_config(&self) -> Option<BondConfig> {
        let name = self.name.as_ref()?;
        let mut c = BondConfig::new(&name.value, "");
        c.options = self
            .options
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        if self.miimon_defaults_to_zero
            && !c.options.contains_key("miimon")
            && !c.options.contains_key("arp_interval")
        {
            // What the kernel would run, said outright (NM would default to 100).
            c.options.insert("miimon".into(), "0".into());
        }
        c.ports = self.ports.iter().map(|p| p.value.clone()).collect();
        c.port_settings = self.port_settings.clone();
        if let Some(f) = &self.ipv4 {
            c.ipv4 = f.clone();
        }
        if let Some(f) = &self.ipv6 {
            c.ipv6 = f.clone();
        }
        c.mtu = self.mtu;
        c.mac = self.mac.clone();
        Some(c)
    }
}

/// Everything said about a set of sources, and the bond they describe.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub draft: Draft,
}

impl Report {
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// 0 clean, 1 warnings only, 2 errors: `bondctl check`'s exit code.
    pub fn exit_code(&self) -> u8 {
        match self.worst() {
            None => 0,
            Some(Severity::Warning) => 1,
            Some(Severity::Error) => 2,
        }
    }

    pub(crate) fn say(&mut self, file: &str, line: usize, severity: Severity, message: Message) {
        self.findings.push(Finding {
            file: file.to_string(),
            line,
            severity,
            message,
        });
    }
}

/// The format a source is in, by its name first, then by what it says.
pub fn detect(source: &Source) -> Option<DraftFormat> {
    let n = source.name.to_ascii_lowercase();
    if n.ends_with(".netdev") || n.ends_with(".network") {
        return Some(DraftFormat::Networkd);
    }
    if n.ends_with(".nmconnection") {
        return Some(DraftFormat::Keyfile);
    }
    if n.ends_with(".yml") || n.ends_with(".yaml") {
        return Some(DraftFormat::Nmstate);
    }
    let t = &source.text;
    let has_line = |pred: &dyn Fn(&str) -> bool| t.lines().map(str::trim).any(pred);
    if has_line(&|l| l.split_whitespace().any(|w| w == "nmcli")) {
        return Some(DraftFormat::Nmcli);
    }
    if has_line(&|l| l == "[connection]") {
        return Some(DraftFormat::Keyfile);
    }
    if has_line(&|l| matches!(l, "[NetDev]" | "[Match]" | "[Network]" | "[Bond]")) {
        return Some(DraftFormat::Networkd);
    }
    if has_line(&|l| {
        l.starts_with("interfaces:")
            || l.starts_with("desiredState:")
            || l.starts_with("link-aggregation:")
    }) {
        return Some(DraftFormat::Nmstate);
    }
    if has_line(&|l| l.starts_with("options ") || l.starts_with("alias ")) {
        return Some(DraftFormat::Modprobe);
    }
    None
}

/// Reads and judges `sources` together (a `.netdev` and its `.network` files, a bond keyfile
/// and its ports' keyfiles, …).
pub fn check(sources: &[Source]) -> Report {
    let mut r = Report::default();
    for s in sources {
        // Any source may carry modprobe lines (the article puts them beside the networkd files).
        rules::modprobe_lines(s, &mut r);
        match detect(s) {
            Some(DraftFormat::Networkd) => networkd::read(s, &mut r),
            Some(DraftFormat::Keyfile) => keyfile::read(s, &mut r),
            Some(DraftFormat::Nmstate) => nmstate::read(s, &mut r),
            Some(DraftFormat::Nmcli) => nmcli::read(s, &mut r),
            Some(DraftFormat::Modprobe) => {}
            None => r.say(
                &s.name,
                0,
                Severity::Error,
                Message::new(Code::DraftUnknownFormat, [""; 0]),
            ),
        }
    }
    rules::judge(
        &mut r,
        sources.first().map(|s| s.name.as_str()).unwrap_or("-"),
    );
    r.findings
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    r
}

/// The bond the sources describe, ready to create, or the errors that stop it.
pub fn import(sources: &[Source]) -> Result<(BondConfig, Vec<Finding>), Vec<Finding>> {
    let r = check(sources);
    if r.worst() == Some(Severity::Error) {
        return Err(r.findings);
    }
    match r.draft.to_config() {
        Some(c) => Ok((c, r.findings)),
        None => Err(r.findings),
    }
}

/// The candidate closest to a misspelt `key` (case and `-`/`_` ignored), if close enough to
/// be a typo.
pub fn nearest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    let k = norm(key);
    // No real key is this long; and the distance is quadratic.
    if k.len() > 64 {
        return None;
    }
    let limit = (k.chars().count() / 4).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (crate::model::validate::edit_distance(&k, &norm(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "'KEY' is not a WHAT key; did you mean …?" or without a suggestion.
pub(crate) fn unknown_key<'a>(
    key: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Message {
    match nearest(key, candidates) {
        Some(n) => Message::new(Code::DraftUnknownKeyDidYouMean, [key, what, n]),
        None => Message::new(Code::DraftUnknownKey, [key, what]),
    }
}

/// "'[Name]' is not a WHAT section; did you mean …?" or without a suggestion.
pub(crate) fn unknown_section<'a>(
    name: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Message {
    let shown = format!("[{name}]");
    match nearest(name, candidates) {
        Some(n) => Message::new(
            Code::DraftUnknownSectionDidYouMean,
            [shown.as_str(), what, n],
        ),
        None => Message::new(Code::DraftUnknownSection, [shown.as_str(), what]),
    }
}

/// A near miss is surely a mistake (error); an unknown name may be one Bondsmith does not
/// list (warning).
pub(crate) fn severity_of(m: &Message) -> Severity {
    match m.code {
        Code::DraftUnknownKeyDidYouMean | Code::DraftUnknownSectionDidYouMean => Severity::Error,
        _ => Severity::Warning,
    }
}
