//! Bad input for every import parser and the checker: valid drafts (the cases in
//! tests/drafts/cases.txt and Bondsmith's own exports of a bond of each mode, in every
//! format) mutated many times: lines cut, duplicated and swapped, keys swapped, random bytes,
//! huge values, quotes and brackets. Each mutant must be judged without a panic and quickly.
//!
//! `cargo test --test draft_mutations` runs a few thousand; scripts/draft-mutations.sh runs a
//! million in a release build (BONDSMITH_MUTATIONS=N, BONDSMITH_SEED=S) and prints the count
//! and the rate. A mutator of our own: the machine has stable Rust only (no cargo-fuzz).

use bondkit::draft::{check, import, Source};
use bondkit::export::{export, Format};
use bondkit::model::{BondConfig, Family, IpAddress, IpFamily};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// The valid drafts mutants start from: (file name, text).
fn seeds() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let cases = include_str!("drafts/cases.txt");
    let mut cur: Option<(String, String)> = None;
    for line in cases.lines() {
        if let Some(f) = line.strip_prefix("-- ") {
            out.extend(cur.take());
            cur = Some((f.to_string(), String::new()));
        } else if line.starts_with("== ") || line.starts_with("=> ") {
            out.extend(cur.take());
        } else if let Some((_, t)) = cur.as_mut() {
            t.push_str(line);
            t.push('\n');
        }
    }
    out.extend(cur);
    for (i, mode) in [
        "balance-rr",
        "active-backup",
        "balance-xor",
        "broadcast",
        "802.3ad",
        "balance-tlb",
        "balance-alb",
    ]
    .iter()
    .enumerate()
    {
        let mut c = BondConfig::new(&format!("bond{i}"), mode);
        c.options.insert("miimon".into(), "100".into());
        if *mode == "802.3ad" {
            c.options.insert("lacp_rate".into(), "fast".into());
            c.options
                .insert("xmit_hash_policy".into(), "layer3+4".into());
        }
        if *mode == "active-backup" {
            c.options.insert("primary".into(), "eno1".into());
        }
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(IpAddress::parse_list("192.168.10.20/24", Family::V4).unwrap());
        c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
        for f in Format::ALL {
            for file in export(&c, &c.options, f).files {
                out.push((file.name, file.text));
            }
        }
    }
    out
}

const NASTY: &[&str] = &[
    "\"",
    "'",
    "\\",
    "[",
    "]",
    ":",
    "=",
    "- ",
    "#",
    "\t",
    "\n",
    "{",
    "}",
    "\u{0}",
    "é",
    "💥",
    "  ",
    "[NetDev]",
    "[connection]",
    "interfaces:",
    "nmcli con add type bond ",
    "99999999999999999999999",
    "-1",
    "0.0000001",
    "1e308",
    "ms",
    "bond.options",
    "mode=",
    "=>",
    "\\\n",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let n = lines.len();
        match rng.below(10) {
            0 if n > 0 => {
                lines.remove(rng.below(n));
            }
            1 if n > 0 => {
                let l = lines[rng.below(n)].clone();
                lines.insert(rng.below(n + 1), l);
            }
            2 if n > 1 => {
                let (a, b) = (rng.below(n), rng.below(n));
                lines.swap(a, b);
            }
            3 if n > 0 => {
                // Swap the keys of two lines.
                let (a, b) = (rng.below(n), rng.below(n));
                if let (Some((ka, va)), Some((kb, vb))) = (
                    lines[a].split_once(['=', ':']),
                    lines[b].split_once(['=', ':']),
                ) {
                    let (ka, va, kb, vb) = (
                        ka.to_string(),
                        va.to_string(),
                        kb.to_string(),
                        vb.to_string(),
                    );
                    lines[a] = format!("{kb}={va}");
                    lines[b] = format!("{ka}={vb}");
                }
            }
            4 if n > 0 => {
                // Cut a line anywhere.
                let i = rng.below(n);
                let cut = rng.below(lines[i].len() + 1);
                let cut = (0..=cut)
                    .rev()
                    .find(|c| lines[i].is_char_boundary(*c))
                    .unwrap_or(0);
                lines[i].truncate(cut);
            }
            5 if n > 0 => {
                // Random bytes (lossily UTF-8, as files are read).
                let i = rng.below(n);
                let bytes: Vec<u8> = (0..1 + rng.below(12)).map(|_| rng.next() as u8).collect();
                let at = rng.below(lines[i].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|c| lines[i].is_char_boundary(*c))
                    .unwrap_or(0);
                lines[i].insert_str(at, &String::from_utf8_lossy(&bytes));
            }
            6 if n > 0 => {
                // A huge value.
                let i = rng.below(n);
                let huge = "9".repeat(1 + rng.below(100_000));
                lines[i] = match lines[i].split_once(['=', ':']) {
                    Some((k, _)) => format!("{k}={huge}"),
                    None => huge,
                };
            }
            7 => {
                let at = rng.below(n + 1);
                lines.insert(at, NASTY[rng.below(NASTY.len())].to_string());
            }
            8 if n > 0 => {
                let i = rng.below(n);
                let nasty = NASTY[rng.below(NASTY.len())];
                let at = rng.below(lines[i].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|c| lines[i].is_char_boundary(*c))
                    .unwrap_or(0);
                lines[i].insert_str(at, nasty);
            }
            _ if n > 0 => {
                // Deep indentation, long lines.
                let i = rng.below(n);
                lines[i] = format!("{}{}", " ".repeat(rng.below(200)), lines[i]);
            }
            _ => {}
        }
    }
    lines.join("\n")
}

fn run(count: u64, seed: u64) {
    let seeds = seeds();
    assert!(seeds.len() > 60, "{} seeds", seeds.len());
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let mut slowest = (Duration::ZERO, String::new());
    for i in 0..count {
        let (name, text) = &seeds[rng.below(seeds.len())];
        let mutant = mutate(&mut rng, text);
        let src = [Source::new(name, &mutant)];
        let t = Instant::now();
        let r = std::panic::catch_unwind(|| {
            let report = check(&src);
            let _ = import(&src);
            // Without the file name, the format is guessed from the text.
            let _ = check(&[Source::new("-", &mutant)]);
            report.findings.len()
        });
        let took = t.elapsed();
        if r.is_err() {
            let path = std::env::temp_dir().join(format!("bondsmith-mutant-{seed}-{i}"));
            std::fs::write(&path, &mutant).unwrap();
            panic!(
                "mutant {i} of {name} (seed {seed}) panicked; it is in {}",
                path.display()
            );
        }
        if took > slowest.0 {
            slowest = (took, name.clone());
        }
        assert!(
            took < Duration::from_secs(5),
            "mutant {i} of {name} took {took:?}: a hang"
        );
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{count} mutants of {} drafts (seed {seed}): no panic, none hung; {:.0} per second; slowest {:?} ({})",
        seeds.len(),
        count as f64 / secs,
        slowest.0,
        slowest.1
    );
}

#[test]
fn mutated_drafts_never_panic_or_hang() {
    let count = std::env::var("BONDSMITH_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let seed = std::env::var("BONDSMITH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_b0d5);
    run(count, seed);
}
