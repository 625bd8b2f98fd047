//! The `[Section]` / `Key=Value` text that systemd-networkd and NetworkManager keyfiles share,
//! read line by line with line numbers. A line that is neither is reported, not guessed at.

/// One line of meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Section(String),
    Pair {
        key: String,
        value: String,
    },
    /// Neither a section header, a pair, a comment nor blank.
    Bad,
}

/// The items of `text` with their 1-based line numbers; comments (`#`, `;`) and blank lines
/// are skipped. A trailing backslash joins the next line (systemd's continuation).
pub fn items(text: &str) -> Vec<(usize, Item)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let (start, mut line) = match pending.take() {
            Some((start, mut acc)) => {
                acc.push(' ');
                acc.push_str(raw.trim());
                (start, acc)
            }
            None => {
                let t = raw.trim();
                if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                    continue;
                }
                (n, t.to_string())
            }
        };
        if line.ends_with('\\') {
            line.pop();
            pending = Some((start, line));
            continue;
        }
        out.push((start, parse(&line)));
    }
    if let Some((start, line)) = pending {
        out.push((start, parse(&line)));
    }
    out
}

fn parse(line: &str) -> Item {
    if let Some(rest) = line.strip_prefix('[') {
        return match rest.strip_suffix(']') {
            Some(name) if !name.is_empty() && !name.contains(['[', ']']) => {
                Item::Section(name.trim().to_string())
            }
            _ => Item::Bad,
        };
    }
    match line.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(char::is_whitespace) => {
            Item::Pair {
                key: k.trim().to_string(),
                value: v.trim().to_string(),
            }
        }
        _ => Item::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_pairs_comments_and_bad_lines() {
        let t = "# c\n[NetDev]\nName=bond0\n\n; c\nKind = bond\nnonsense here\n[Bond\nA=b \\\n c\n";
        let got = items(t);
        assert_eq!(got[0], (2, Item::Section("NetDev".into())));
        assert_eq!(
            got[1],
            (
                3,
                Item::Pair {
                    key: "Name".into(),
                    value: "bond0".into()
                }
            )
        );
        assert_eq!(
            got[2],
            (
                6,
                Item::Pair {
                    key: "Kind".into(),
                    value: "bond".into()
                }
            )
        );
        assert_eq!(got[3], (7, Item::Bad));
        assert_eq!(got[4], (8, Item::Bad));
        assert_eq!(
            got[5],
            (
                9,
                Item::Pair {
                    key: "A".into(),
                    value: "b  c".into()
                }
            )
        );
    }
}
