//! nmcli drafts: a shell script of `nmcli connection add|modify|up` lines, the article's kind
//! (with `sudo`, backslash continuations, quotes and comments). Properties are checked against
//! the settings NetworkManager has; `bond.options` goes through the option table.

use super::keyfile::{BOND_PORT, CONNECTION, ETHERNET, IP};
use super::{unknown_key, At, DraftFormat, Report, Severity, Source};
use crate::model::{Code, Family, IpAddress, IpFamily, IpMethod, Message};
use std::collections::BTreeMap;

/// A shell word and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub line: usize,
}

/// Splits `text` into commands of words, as a POSIX shell would for simple commands: quotes,
/// backslashes, comments, line continuations; `;`, `&&`, `||` and newlines end a command.
pub fn commands(text: &str) -> Vec<Vec<Word>> {
    let mut out: Vec<Vec<Word>> = Vec::new();
    let mut cur: Vec<Word> = Vec::new();
    let mut word: Option<Word> = None;
    let mut line = 1;
    let mut chars = text.chars().peekable();
    let end_word = |word: &mut Option<Word>, cur: &mut Vec<Word>| {
        if let Some(w) = word.take() {
            cur.push(w);
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => line += 1,
                Some(n) => word
                    .get_or_insert(Word {
                        text: String::new(),
                        line,
                    })
                    .text
                    .push(n),
                None => {}
            },
            '\'' => {
                let w = word.get_or_insert(Word {
                    text: String::new(),
                    line,
                });
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    if n == '\n' {
                        line += 1;
                    }
                    w.text.push(n);
                }
            }
            '"' => {
                let w = word.get_or_insert(Word {
                    text: String::new(),
                    line,
                });
                while let Some(n) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            w.text.push(chars.next().expect("peeked"))
                        }
                        '\n' => {
                            line += 1;
                            w.text.push(n)
                        }
                        n => w.text.push(n),
                    }
                }
            }
            '#' if word.is_none() => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        line += 1;
                        break;
                    }
                }
                end_word(&mut word, &mut cur);
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            '\n' | ';' => {
                end_word(&mut word, &mut cur);
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if c == '\n' {
                    line += 1;
                }
            }
            '&' | '|' => {
                end_word(&mut word, &mut cur);
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c if c.is_whitespace() => end_word(&mut word, &mut cur),
            c => word
                .get_or_insert(Word {
                    text: String::new(),
                    line,
                })
                .text
                .push(c),
        }
    }
    end_word(&mut word, &mut cur);
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// nmcli's short names for properties of a bond or port profile.
fn alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "type" => "connection.type",
        "con-name" => "connection.id",
        "ifname" => "connection.interface-name",
        "master" => "connection.master",
        "controller" => "connection.controller",
        "slave-type" => "connection.slave-type",
        "port-type" => "connection.port-type",
        "autoconnect" => "connection.autoconnect",
        "ip4" => "ipv4.addresses",
        "gw4" => "ipv4.gateway",
        "ip6" => "ipv6.addresses",
        "gw6" => "ipv6.gateway",
        "mtu" => "ethernet.mtu",
        "mac" => "ethernet.cloned-mac-address",
        "save" => "save",
        // Bond options nmcli takes as words (nmcli's bond aliases).
        "mode" | "primary" | "miimon" | "downdelay" | "updelay" | "arp-interval"
        | "arp-ip-target" | "lacp-rate" => "bond.option",
        _ => return None,
    })
}

fn known_properties() -> Vec<String> {
    let mut v = Vec::new();
    for (sec, keys) in [
        ("connection", CONNECTION),
        ("ipv4", IP),
        ("ipv6", IP),
        ("ethernet", ETHERNET),
        ("802-3-ethernet", ETHERNET),
        ("bond-port", BOND_PORT),
    ] {
        v.extend(keys.iter().map(|k| format!("{sec}.{k}")));
    }
    v.push("bond.options".into());
    v
}

/// What one `nmcli connection add|modify` says about one profile.
#[derive(Default)]
struct Profile {
    kind: Option<String>,
    ifname: Option<Word>,
    controller: Option<Word>,
    port_type: Option<String>,
}

struct Reader<'a> {
    src: &'a Source,
    /// Profiles by con-name (and interface name), kind and all.
    profiles: BTreeMap<String, Profile>,
    bond_id: Option<String>,
    v4: IpFamily,
    v6: IpFamily,
    method_set: [bool; 2],
    known: Vec<String>,
}

impl Reader<'_> {
    fn property(&mut self, r: &mut Report, id: &str, key: &Word, value: &Word) {
        let raw = key.text.trim_start_matches(['+', '-']);
        let append = key.text.starts_with('+');
        let name = match alias(raw) {
            Some("bond.option") => {
                let k = raw.replace('-', "_");
                if self.is_bond(id) {
                    r.draft
                        .set_option(&k, &value.text, raw, &self.src.name, value.line);
                }
                return;
            }
            Some(a) => a.to_string(),
            None => raw.replace("802-3-ethernet.", "ethernet."),
        };
        if !self
            .known
            .iter()
            .any(|k| *k == name || (name.len() > 4 && k.starts_with(&name) && name.contains('.')))
        {
            let m = unknown_key(raw, "nmcli property", self.known.iter().map(String::as_str));
            r.say(&self.src.name, key.line, Severity::Error, m);
            return;
        }
        let p = self.profiles.entry(id.to_string()).or_default();
        match name.as_str() {
            "connection.type" => p.kind = Some(value.text.clone()),
            "connection.interface-name" => p.ifname = Some(value.clone()),
            "connection.master" | "connection.controller" => p.controller = Some(value.clone()),
            "connection.slave-type" | "connection.port-type" => {
                p.port_type = Some(value.text.clone())
            }
            _ => {}
        }
        if !self.is_bond(id) {
            if let Some(k) = name.strip_prefix("bond-port.") {
                let port = self
                    .profiles
                    .get(id)
                    .and_then(|p| p.ifname.clone())
                    .map(|w| w.text)
                    .unwrap_or_default();
                let s = r.draft.port_settings.entry(port).or_default();
                if let Err(m) = s.set(k, &value.text) {
                    r.say(&self.src.name, value.line, Severity::Error, m);
                }
            }
            return;
        }
        let family = |n: &str| {
            if n.starts_with("ipv4.") {
                Family::V4
            } else {
                Family::V6
            }
        };
        match name.as_str() {
            "bond.options" => {
                if !append {
                    r.draft.options.clear();
                }
                for part in value
                    .text
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    match part.split_once('=') {
                        // nmcli lists addresses inside an option with spaces.
                        Some((k, v)) if k.trim().ends_with("_target") => r.draft.set_option(
                            k.trim(),
                            &v.split_whitespace().collect::<Vec<_>>().join(","),
                            k.trim(),
                            &self.src.name,
                            value.line,
                        ),
                        Some((k, v)) => r.draft.set_option(
                            k.trim(),
                            v.trim(),
                            k.trim(),
                            &self.src.name,
                            value.line,
                        ),
                        None => r.say(
                            &self.src.name,
                            value.line,
                            Severity::Error,
                            Message::new(Code::NotAssignment, [part]),
                        ),
                    }
                }
            }
            "ipv4.method" | "ipv6.method" => {
                let f = family(&name);
                self.method_set[f as usize] = true;
                self.fam(f).method = IpMethod::parse(&value.text);
                r.draft.mark(f.section(), &self.src.name, value.line);
            }
            "ipv4.addresses" | "ipv6.addresses" => {
                let f = family(&name);
                if !append {
                    self.fam(f).addresses.clear();
                }
                for a in value.text.split([',', ' ']).filter(|a| !a.is_empty()) {
                    match IpAddress::parse(a, f) {
                        Ok(x) => self.fam(f).addresses.push(x),
                        Err(m) => r.say(&self.src.name, value.line, Severity::Error, m),
                    }
                }
                r.draft.mark(f.section(), &self.src.name, value.line);
            }
            "ipv4.gateway" | "ipv6.gateway" => {
                let f = family(&name);
                match crate::model::ip::parse_ip(&value.text) {
                    Ok(g) => self.fam(f).gateway = Some(g),
                    Err(m) => r.say(&self.src.name, value.line, Severity::Error, m),
                }
            }
            "ipv4.dns" | "ipv6.dns" => {
                let f = family(&name);
                if !append {
                    self.fam(f).dns.clear();
                }
                for d in value.text.split([',', ' ', ';']).filter(|d| !d.is_empty()) {
                    match crate::model::ip::parse_ip(d) {
                        Ok(ip) => self.fam(f).dns.push(ip),
                        Err(m) => r.say(&self.src.name, value.line, Severity::Error, m),
                    }
                }
            }
            "ethernet.mtu" => {
                r.draft.mtu = value.text.parse().ok().filter(|m| *m > 0);
                r.draft.mark("mtu", &self.src.name, value.line);
            }
            "ethernet.cloned-mac-address" => {
                r.draft.mac = Some(value.text.clone());
                r.draft.mark("mac", &self.src.name, value.line);
            }
            _ => {}
        }
    }

    fn fam(&mut self, f: Family) -> &mut IpFamily {
        match f {
            Family::V4 => &mut self.v4,
            Family::V6 => &mut self.v6,
        }
    }

    fn is_bond(&self, id: &str) -> bool {
        self.bond_id.as_deref() == Some(id)
    }

    fn command(&mut self, r: &mut Report, words: &[Word]) {
        // sudo, env assignments and nmcli's global options before the object.
        let mut i = 0;
        while i < words.len() && (words[i].text == "sudo" || words[i].text.contains('=') && i == 0)
        {
            i += 1;
        }
        if words.get(i).map(|w| w.text.as_str()) != Some("nmcli") {
            return;
        }
        i += 1;
        while let Some(w) = words.get(i) {
            match w.text.as_str() {
                "-t" | "--terse" | "-p" | "--pretty" | "-a" | "--ask" | "-s" | "--show-secrets"
                | "--offline" => i += 1,
                "-w" | "--wait" | "-g" | "--get-values" | "-f" | "--fields" | "-m" | "--mode"
                | "-c" | "--colors" | "-e" | "--escape" => i += 2,
                _ => break,
            }
        }
        let Some(object) = words.get(i) else { return };
        if !"connection".starts_with(object.text.as_str()) || object.text.is_empty() {
            return;
        }
        let Some(verb) = words.get(i + 1) else { return };
        let rest = &words[(i + 2).min(words.len())..];
        match verb.text.as_str() {
            "add" | "a" => {
                let id = rest
                    .windows(2)
                    .find(|w| w[0].text == "con-name" || w[0].text == "connection.id")
                    .or_else(|| {
                        rest.windows(2).find(|w| {
                            w[0].text == "ifname" || w[0].text == "connection.interface-name"
                        })
                    })
                    .map(|w| w[1].text.clone())
                    .unwrap_or_else(|| format!("#{}", verb.line));
                let is_bond = rest.windows(2).any(|w| {
                    (w[0].text == "type" || w[0].text == "connection.type") && w[1].text == "bond"
                });
                if is_bond {
                    self.bond_id = Some(id.clone());
                    r.draft.format = Some(DraftFormat::Nmcli);
                }
                self.pairs(r, &id, rest);
                if is_bond {
                    let p = self.profiles.entry(id.clone()).or_default();
                    let (name, line) = match &p.ifname {
                        Some(w) => (w.text.clone(), w.line),
                        None => (id.clone(), verb.line),
                    };
                    r.draft.name = Some(At {
                        value: name,
                        file: self.src.name.clone(),
                        line,
                    });
                }
                self.maybe_port(r, &id);
            }
            "modify" | "mod" | "m" => {
                let Some(target) = rest.first() else { return };
                let mut id = target.text.clone();
                let mut args = &rest[1..];
                if matches!(id.as_str(), "id" | "uuid" | "path" | "apath") {
                    let Some(t) = rest.get(1) else { return };
                    id = t.text.clone();
                    args = &rest[2.min(rest.len())..];
                }
                // A bond modified by its interface name.
                if !self.profiles.contains_key(&id) {
                    if let Some((k, _)) = self
                        .profiles
                        .iter()
                        .find(|(_, p)| p.ifname.as_ref().is_some_and(|w| w.text == id))
                    {
                        id = k.clone();
                    }
                }
                self.pairs(r, &id, args);
                self.maybe_port(r, &id);
            }
            _ => {}
        }
    }

    fn pairs(&mut self, r: &mut Report, id: &str, args: &[Word]) {
        let mut k = 0;
        while k < args.len() {
            let key = &args[k];
            let Some(value) = args.get(k + 1) else {
                r.say(
                    &self.src.name,
                    key.line,
                    Severity::Error,
                    Message::new(Code::DraftPropertyWithoutValue, [key.text.as_str()]),
                );
                return;
            };
            self.property(r, id, key, value);
            k += 2;
        }
    }

    fn maybe_port(&mut self, r: &mut Report, id: &str) {
        let Some(p) = self.profiles.get(id) else {
            return;
        };
        let Some(c) = &p.controller else { return };
        let bondish = p.port_type.as_deref().is_none_or(|t| t == "bond")
            || p.kind.as_deref() == Some("bond-slave");
        if !bondish {
            return;
        }
        let port = p
            .ifname
            .clone()
            .map(|w| w.text)
            .unwrap_or_else(|| id.to_string());
        let line = c.line;
        if let Some(bond) = &r.draft.name {
            let bond_id = self.bond_id.clone().unwrap_or_default();
            if c.text != bond.value && c.text != bond_id {
                r.say(
                    &self.src.name,
                    line,
                    Severity::Error,
                    Message::new(Code::DraftPortOfOtherBond, [c.text.as_str()]),
                );
            }
        }
        r.draft.add_port(&port, &self.src.name, line);
    }
}

pub fn read(src: &Source, r: &mut Report) {
    let mut reader = Reader {
        src,
        profiles: BTreeMap::new(),
        bond_id: None,
        v4: IpFamily::auto(),
        v6: IpFamily::auto(),
        method_set: [false; 2],
        known: known_properties(),
    };
    for cmd in commands(&src.text) {
        reader.command(r, &cmd);
    }
    if reader.bond_id.is_some() {
        // nmcli makes a family manual when it is given addresses and no method.
        for (i, fam) in [&mut reader.v4, &mut reader.v6].into_iter().enumerate() {
            if !reader.method_set[i] && !fam.addresses.is_empty() {
                fam.method = IpMethod::Manual;
            }
        }
        r.draft.ipv4 = Some(reader.v4);
        r.draft.ipv6 = Some(reader.v6);
        if !r.draft.options.contains_key("mode") {
            // What nmcli (and NM) give a bond with no mode.
            let line = r.draft.name.as_ref().map(|n| n.line).unwrap_or(1);
            r.draft
                .set_option("mode", "balance-rr", "mode", &src.name, line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_with_lines() {
        let t = "sudo nmcli con add type bond \\\n  bond.options \"mode=active-backup,miimon=100\" # c\nnmcli con up 'bond 0'; echo x";
        let c = commands(t);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].last().unwrap().text, "mode=active-backup,miimon=100");
        assert_eq!(c[0].last().unwrap().line, 2);
        assert_eq!(c[1][3].text, "bond 0");
        assert_eq!(c[1][3].line, 3);
        assert_eq!(c[2][0].text, "echo");
    }
}
