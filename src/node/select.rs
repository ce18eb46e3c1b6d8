//! The node selector: terms separated by commas or blanks (om3's form), each an exact name, a glob (`web*`, `db?`),
//! `label=value`, or a negation of one of those (`!name`). Positive terms add nodes, negated
//! ones remove them; a selector of negations only starts from every node. An exact name
//! that no node has is an error, not an empty match.

use std::collections::BTreeMap;

/// A node as the selector sees it.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its name.
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Name(String),
    Glob(String),
    Label(String, String),
}

/// Parses and applies `expr` to `nodes`; the selected names keep the order of `nodes`.
pub fn select(expr: &str, nodes: &[Candidate]) -> Result<Vec<String>, String> {
    let mut terms = Vec::new();
    // om3 separates terms with blanks (`ox node ... --node "n1 n2"`); vmyard also with
    // commas. Both may mix.
    for piece in expr.split(',') {
        if piece.trim().is_empty() {
            return Err(format!("empty term in `{expr}`"));
        }
        for raw in piece.split_whitespace() {
            let (negated, body) = match raw.strip_prefix('!') {
                Some(b) => (true, b.trim()),
                None => (false, raw),
            };
            terms.push((negated, parse_term(body)?));
        }
    }
    let any_positive = terms.iter().any(|(neg, _)| !neg);
    let mut chosen: Vec<bool> = vec![!any_positive; nodes.len()];
    for (negated, term) in &terms {
        if let Term::Name(n) = term
            && !nodes.iter().any(|c| &c.name == n)
        {
            let known: Vec<&str> = nodes.iter().map(|c| c.name.as_str()).collect();
            return Err(format!("unknown node `{n}` (known: {})", known.join(", ")));
        }
        for (i, c) in nodes.iter().enumerate() {
            if matches(term, c) {
                chosen[i] = !negated;
            }
        }
    }
    Ok(nodes
        .iter()
        .zip(chosen)
        .filter(|(_, keep)| *keep)
        .map(|(c, _)| c.name.clone())
        .collect())
}

fn parse_term(body: &str) -> Result<Term, String> {
    if body.is_empty() {
        return Err("`!` needs a name, glob or label after it".into());
    }
    if let Some((k, v)) = body.split_once('=') {
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || v.is_empty() || v.contains('=') {
            return Err(format!("`{body}` is not `label=value`"));
        }
        return Ok(Term::Label(k.into(), v.into()));
    }
    // `!` and `^` only negate a class inside `[...]`; the glob check below places them.
    let valid = |c: char| c.is_ascii_alphanumeric() || "-_.*?[]!^".contains(c);
    if let Some(bad) = body.chars().find(|c| !valid(*c)) {
        return Err(format!(
            "`{bad}` cannot appear in a node name or glob (`{body}`)"
        ));
    }
    if body.contains(['!', '^']) && !body.contains('[') {
        return Err(format!(
            "`!` only starts a term or a `[!...]` class (`{body}`)"
        ));
    }
    if body.contains(['*', '?', '[']) {
        glob_match(body, "").map_err(|e| format!("bad glob `{body}`: {e}"))?;
        Ok(Term::Glob(body.into()))
    } else {
        Ok(Term::Name(body.into()))
    }
}

fn matches(term: &Term, c: &Candidate) -> bool {
    match term {
        Term::Name(n) => &c.name == n,
        // As om3's fnmatch (FNM_IGNORECASE): globs ignore case, exact names do not.
        Term::Glob(g) => glob_match(&g.to_lowercase(), &c.name.to_lowercase()).unwrap_or(false),
        Term::Label(k, v) => c.labels.get(k) == Some(v),
    }
}

/// Shell-style matching of `*`, `?` and `[...]` classes (with `!` negation and ranges).
fn glob_match(pattern: &str, text: &str) -> Result<bool, String> {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Validate classes first so that a bad glob is an error even when the text is empty.
    let mut i = 0;
    while i < p.len() {
        if p[i] == '[' {
            let close = p[i + 1..]
                .iter()
                .position(|c| *c == ']')
                .ok_or("unclosed `[`")?;
            if close == 0 {
                return Err("empty `[]`".into());
            }
            i += close + 1;
        } else if p[i] == ']' {
            return Err("`]` without `[`".into());
        }
        i += 1;
    }
    Ok(match_from(&p, &t))
}

fn match_from(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => (0..=t.len()).any(|k| match_from(&p[1..], &t[k..])),
        Some('?') => !t.is_empty() && match_from(&p[1..], &t[1..]),
        Some('[') => {
            let close = p.iter().position(|c| *c == ']').unwrap_or(p.len() - 1);
            let class = &p[1..close];
            let Some(c) = t.first() else { return false };
            let (negate, class) = match class.first() {
                Some('!') | Some('^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut k = 0;
            while k < class.len() {
                if k + 2 < class.len() && class[k + 1] == '-' {
                    hit |= (class[k]..=class[k + 2]).contains(c);
                    k += 3;
                } else {
                    hit |= class[k] == *c;
                    k += 1;
                }
            }
            hit != negate && match_from(&p[close + 1..], &t[1..])
        }
        Some(c) => t.first() == Some(c) && match_from(&p[1..], &t[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Vec<Candidate> {
        let n = |name: &str, labels: &[(&str, &str)]| Candidate {
            name: name.into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        vec![
            n("web1", &[("role", "web"), ("site", "paris")]),
            n("web2", &[("role", "web"), ("site", "lyon")]),
            n("db1", &[("role", "db"), ("site", "paris")]),
        ]
    }

    fn sel(expr: &str) -> Result<Vec<String>, String> {
        select(expr, &nodes())
    }

    #[test]
    fn names_globs_labels_and_negations() {
        assert_eq!(sel("db1").unwrap(), ["db1"]);
        assert_eq!(sel("web*").unwrap(), ["web1", "web2"]);
        assert_eq!(sel("*").unwrap(), ["web1", "web2", "db1"]);
        assert_eq!(sel("web?").unwrap(), ["web1", "web2"]);
        assert_eq!(sel("web[2-9]").unwrap(), ["web2"]);
        assert_eq!(sel("web[!1]").unwrap(), ["web2"]);
        assert_eq!(sel("site=paris").unwrap(), ["web1", "db1"]);
        assert_eq!(sel("role=web,!web2").unwrap(), ["web1"]);
        assert_eq!(sel("!web1").unwrap(), ["web2", "db1"]);
        assert_eq!(
            sel("db1, web2").unwrap(),
            ["web2", "db1"],
            "node order is kept"
        );
        assert!(
            sel("nomatch*").unwrap().is_empty(),
            "a glob may match nothing"
        );
        assert!(sel("role=none").unwrap().is_empty());
        // om3's forms: blank-separated terms, case-insensitive globs.
        assert_eq!(sel("db1 web2").unwrap(), ["web2", "db1"]);
        assert_eq!(sel("role=web !web2").unwrap(), ["web1"]);
        assert_eq!(sel("WEB*").unwrap(), ["web1", "web2"]);
        assert!(sel("WEB1").is_err(), "exact names keep their case");
    }

    #[test]
    fn bad_expressions_are_errors() {
        for bad in [
            "",
            "web1,",
            ",",
            "!",
            "web1,,db1",
            "=web",
            "role=",
            "a=b=c",
            "web[",
            "web]",
            "web[]",
            "we b",
            "web/1",
        ] {
            assert!(sel(bad).is_err(), "`{bad}` should be refused");
        }
        let e = sel("web9").unwrap_err();
        assert!(e.contains("unknown node `web9`"), "{e}");
        assert!(
            sel("!web9").is_err(),
            "a negated unknown name is an error too"
        );
    }
}
