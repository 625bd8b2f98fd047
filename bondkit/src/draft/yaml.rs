//! The block YAML that nmstate files are written in (maps, `- ` sequences, plain and quoted
//! scalars, `[a, b]` flow lists, comments), read with the line of every key so findings can
//! point at it. Anchors, tags and multi-line scalars are not nmstate's style and are refused
//! with a sentence rather than guessed.

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Map(Vec<(String, usize, Node)>),
    Seq(Vec<(usize, Node)>),
    Scalar(String),
    Null,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<(usize, &Node)> {
        match self {
            Node::Map(m) => m.iter().find(|(k, _, _)| k == key).map(|(_, l, n)| (*l, n)),
            _ => None,
        }
    }

    pub fn scalar(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

/// A line the parser could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub why: &'static str,
}

struct Line {
    no: usize,
    indent: usize,
    text: String,
}

const MAX_DEPTH: usize = 64;

fn strip_comment(s: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return &s[..i],
            None => {}
        }
        prev = c;
    }
    s
}

pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let body = strip_comment(raw).trim_end();
        if body.trim().is_empty() || body.trim() == "---" {
            continue;
        }
        let indent = body.len() - body.trim_start_matches(' ').len();
        if body[indent..].starts_with('\t') {
            return Err(YamlError {
                line: no,
                why: "a tab indents this line; YAML indents with spaces",
            });
        }
        let t = body[indent..].to_string();
        if t.starts_with(['&', '*', '!', '|', '>', '%', '@', '`']) {
            return Err(YamlError {
                line: no,
                why: "anchors, tags and block scalars are not used in nmstate files",
            });
        }
        lines.push(Line {
            no,
            indent,
            text: t,
        });
    }
    if lines.is_empty() {
        return Ok(Node::Null);
    }
    let mut p = Parser { lines, pos: 0 };
    let first = p.lines[0].indent;
    let node = p.block(first, 0)?;
    if let Some(l) = p.lines.get(p.pos) {
        return Err(YamlError {
            line: l.no,
            why: "this line is indented less than the document or out of place",
        });
    }
    Ok(node)
}

struct Parser {
    lines: Vec<Line>,
    pos: usize,
}

fn is_item(t: &str) -> bool {
    t == "-" || t.starts_with("- ")
}

/// `key: value` → (key, value); `key:` → (key, "").
fn split_key(t: &str) -> Option<(String, String)> {
    let (k, v) = if let Some(rest) = t.strip_prefix('"') {
        let end = rest.find('"')?;
        let after = rest[end + 1..].strip_prefix(':')?;
        (rest[..end].to_string(), after)
    } else {
        let i = t
            .find(": ")
            .or_else(|| t.strip_suffix(':').map(|s| s.len()))?;
        let after = &t[i + 1..];
        (t[..i].trim().to_string(), after)
    };
    if k.is_empty() {
        return None;
    }
    Some((k, v.trim().to_string()))
}

fn scalar(v: &str) -> Result<Node, &'static str> {
    let v = v.trim();
    if v.is_empty() || v == "~" || v == "null" {
        return Ok(Node::Null);
    }
    if let Some(inner) = v.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or("a flow list opens with [ but does not close on its line")?;
        let items = inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| scalar(s).map(|n| (0, n)))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Node::Seq(items));
    }
    if v == "{}" {
        return Ok(Node::Map(Vec::new()));
    }
    if v.starts_with('{') {
        return Err(
            "flow maps ({…}) are not used in nmstate files; write the keys on lines of their own",
        );
    }
    if let Some(inner) = v.strip_prefix('"') {
        let inner = inner
            .strip_suffix('"')
            .ok_or("a quoted string does not close on its line")?;
        return Ok(Node::Scalar(
            inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        ));
    }
    if let Some(inner) = v.strip_prefix('\'') {
        let inner = inner
            .strip_suffix('\'')
            .ok_or("a quoted string does not close on its line")?;
        return Ok(Node::Scalar(inner.replace("''", "'")));
    }
    Ok(Node::Scalar(v.to_string()))
}

impl Parser {
    fn block(&mut self, indent: usize, depth: usize) -> Result<Node, YamlError> {
        let Some(l) = self.lines.get(self.pos) else {
            return Ok(Node::Null);
        };
        if depth > MAX_DEPTH {
            return Err(YamlError {
                line: l.no,
                why: "nested too deeply",
            });
        }
        if is_item(&l.text) {
            self.seq(indent, depth)
        } else {
            self.map(indent, depth)
        }
    }

    fn seq(&mut self, indent: usize, depth: usize) -> Result<Node, YamlError> {
        let mut items = Vec::new();
        while let Some(l) = self.lines.get(self.pos) {
            if l.indent != indent || !is_item(&l.text) {
                break;
            }
            let no = l.no;
            let rest = l.text[1..].trim_start().to_string();
            if rest.is_empty() {
                self.pos += 1;
                match self.lines.get(self.pos) {
                    Some(n) if n.indent > indent => {
                        let ni = n.indent;
                        items.push((no, self.block(ni, depth + 1)?));
                    }
                    _ => items.push((no, Node::Null)),
                }
            } else if split_key(&rest).is_some() && !rest.starts_with('[') {
                // "- key: value": a map whose first key sits on the item's line.
                let offset = l.text.len() - rest.len();
                let l = &mut self.lines[self.pos];
                l.indent = indent + offset;
                l.text = rest;
                items.push((no, self.map(indent + offset, depth + 1)?));
            } else {
                self.pos += 1;
                items.push((
                    no,
                    scalar(&rest).map_err(|why| YamlError { line: no, why })?,
                ));
            }
        }
        Ok(Node::Seq(items))
    }

    fn map(&mut self, indent: usize, depth: usize) -> Result<Node, YamlError> {
        let mut entries: Vec<(String, usize, Node)> = Vec::new();
        while let Some(l) = self.lines.get(self.pos) {
            if l.indent < indent {
                break;
            }
            let no = l.no;
            if l.indent > indent {
                return Err(YamlError {
                    line: no,
                    why: "this line is indented more than the keys around it",
                });
            }
            if is_item(&l.text) {
                break;
            }
            let Some((key, value)) = split_key(&l.text) else {
                return Err(YamlError {
                    line: no,
                    why: "this line is not 'key: value'",
                });
            };
            if entries.iter().any(|(k, _, _)| *k == key) {
                return Err(YamlError {
                    line: no,
                    why: "this key appears twice in the same map",
                });
            }
            self.pos += 1;
            let node = if value.is_empty() {
                match self.lines.get(self.pos) {
                    Some(n) if n.indent > indent => {
                        let ni = n.indent;
                        self.block(ni, depth + 1)?
                    }
                    // nmstate's compact style: the list under a key at the key's own indent.
                    Some(n) if n.indent == indent && is_item(&n.text) => {
                        self.seq(indent, depth + 1)?
                    }
                    _ => Node::Null,
                }
            } else {
                scalar(&value).map_err(|why| YamlError { line: no, why })?
            };
            entries.push((key, no, node));
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nmstate_shapes() {
        let t = "# c\ninterfaces:\n- name: bond0  # x\n  type: bond\n  link-aggregation:\n    mode: \"802.3ad\"\n    options:\n      miimon: 100\n    port:\n    - eno1\n    - 'eno2'\n  ipv4: {}\nroutes:\n  config: []\n";
        let n = parse(t).unwrap();
        let (l, ifaces) = n.get("interfaces").unwrap();
        assert_eq!(l, 2);
        let Node::Seq(items) = ifaces else { panic!() };
        let bond = &items[0].1;
        assert_eq!(bond.get("name").unwrap().1.scalar(), Some("bond0"));
        let (la_line, la) = bond.get("link-aggregation").unwrap();
        assert_eq!(la_line, 5);
        assert_eq!(la.get("mode").unwrap().1.scalar(), Some("802.3ad"));
        assert_eq!(
            la.get("options").unwrap().1.get("miimon"),
            Some((8, &Node::Scalar("100".into())))
        );
        let Node::Seq(ports) = la.get("port").unwrap().1 else {
            panic!()
        };
        assert_eq!(ports[1], (11, Node::Scalar("eno2".into())));
        assert_eq!(
            n.get("routes").unwrap().1.get("config").unwrap().1,
            &Node::Seq(vec![])
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse("a:\n\tb: 1\n").unwrap_err().line, 2);
        assert_eq!(parse("a: 1\n  b: 2\n").unwrap_err().line, 2);
        assert_eq!(parse("a: 1\na: 2\n").unwrap_err().line, 2);
        assert!(parse("a: [1, 2\n").is_err());
    }
}
