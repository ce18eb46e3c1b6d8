//! `user`: local users from `/etc/passwd` (not NSS: directory users are not this node's).

use serde::Serialize;

use super::source::Sources;
use super::{Collected, SourceError};

/// One user or group item's `data`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Account {
    /// The uid or gid.
    pub id: u32,
    /// The name.
    pub name: String,
}

/// The `name:x:id:...` lines of a passwd or group file, sorted by id then name. Comment
/// lines, NIS `+`/`-` entries and malformed lines are skipped.
pub(super) fn parse_colon_file(text: &str) -> Vec<Account> {
    let mut out: Vec<Account> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('+') && !l.starts_with('-'))
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?.trim();
            let id = f.nth(1)?.trim().parse().ok()?;
            (!name.is_empty()).then(|| Account {
                id,
                name: name.to_string(),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.id, &a.name).cmp(&(b.id, &b.name)));
    out
}

/// Reads a passwd-style file into a section.
pub(super) fn collect_file(src: &Sources, path: &str) -> Collected {
    match src.read(path) {
        Ok(text) => Collected::from_items(&parse_colon_file(&text), Vec::new()),
        Err(e) => Collected::from_items::<Account>(&[], vec![SourceError::new(path, e)]),
    }
}

/// Collects the local users.
pub(super) fn collect(src: &Sources) -> Collected {
    collect_file(src, "/etc/passwd")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_are_parsed_and_sorted_by_id() {
        let text = "root:x:0:0:root:/root:/bin/bash\n# comment\n+nis::::::\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\nbroken\ndaemon:x:1:1::/:/bin/false\n";
        let users = parse_colon_file(text);
        let ids: Vec<_> = users.iter().map(|u| (u.id, u.name.as_str())).collect();
        assert_eq!(ids, [(0, "root"), (1, "daemon"), (33, "www-data")]);
    }
}
