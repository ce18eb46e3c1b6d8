//! Logs through tracing: plain lines for journald (it adds its own time and unit), colours
//! and times on a terminal. `VMYARD_LOG` (or `RUST_LOG`) sets the filter, `info` by default.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; call once, early.
pub fn init() {
    let filter = std::env::var("VMYARD_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,tower_http=warn,axum_server=warn".to_string());
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // systemd sets JOURNAL_STREAM when stderr goes to the journal. Colours only on a
    // terminal: a log file or a pipe gets plain text.
    let journal = std::env::var_os("JOURNAL_STREAM").is_some();
    let colour = !journal && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(move || Escaping {
            inner: std::io::stderr(),
            keep_escape: colour,
        });
    if journal {
        builder
            .without_time()
            .with_ansi(false)
            .with_target(false)
            .init();
    } else {
        builder.with_target(false).init();
    }
}

/// A log writer that escapes control characters, so that a value a client sent (a user
/// name, a path, a header) cannot forge a log line with a newline or hide one with a
/// carriage return. Each event arrives in one write; its final newline is kept. `ESC` is
/// kept on a terminal for the colours (tracing-subscriber escapes it in field values).
struct Escaping<W> {
    inner: W,
    keep_escape: bool,
}

impl<W: std::io::Write> std::io::Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let escaped = escape_controls(buf, self.keep_escape);
        self.inner.write_all(&escaped)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `buf` with every control character but a final newline (and `ESC`, when kept) written
/// as `\n`, `\r`, `\t` or `\xNN`.
fn escape_controls(buf: &[u8], keep_escape: bool) -> std::borrow::Cow<'_, [u8]> {
    let (body, end) = match buf.split_last() {
        Some((b'\n', body)) => (body, &b"\n"[..]),
        _ => (buf, &b""[..]),
    };
    let control = |b: u8| (b < 0x20 && !(keep_escape && b == 0x1b)) || b == 0x7f;
    if !body.iter().copied().any(control) {
        return std::borrow::Cow::Borrowed(buf);
    }
    let mut out = Vec::with_capacity(buf.len() + 16);
    for &b in body {
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b if control(b) => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
            b => out.push(b),
        }
    }
    out.extend_from_slice(end);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_characters_are_escaped_but_the_final_newline() {
        let line = b"WARN login failed user=a\nINFO forged\r\x07 end\n";
        assert_eq!(
            &*escape_controls(line, false),
            &b"WARN login failed user=a\\nINFO forged\\r\\x07 end\n"[..]
        );
        assert_eq!(&*escape_controls(b"plain line\n", false), b"plain line\n");
        assert_eq!(
            &*escape_controls(b"\x1b[1mbold\x1b[0m\n", true),
            b"\x1b[1mbold\x1b[0m\n"
        );
        assert_eq!(&*escape_controls(b"\x1b[1m\n", false), b"\\x1b[1m\n");
    }

    /// Every log field is written one way, `key=value` through its `Display`: a `?` field
    /// prints Rust's debug form (`socket=Some("/run/…")`, quoted strings), which reads
    /// differently from every other field and leaks type names into the log.
    #[test]
    fn no_log_field_is_written_in_debug_form() {
        let debug_field = regex::Regex::new(r"(?:=\s*|[,(]\s*)\?[A-Za-z_]").unwrap();
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let mut found = Vec::new();
        let mut calls = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (at, _) in text.match_indices("tracing::") {
                let call = &text[at..];
                let Some(bang) = call.find('!') else { continue };
                calls += 1;
                // The macro's arguments, up to its closing `);`, without its string
                // literals (a message may hold `?` in words).
                let args = &call[bang..call.find(");").unwrap_or(call.len())];
                let code: String = args.split('"').step_by(2).collect();
                if debug_field.is_match(&code) {
                    found.push(format!(
                        "{}: {}",
                        file.display(),
                        &args[..args.len().min(120)]
                    ));
                }
            }
        }
        assert!(calls > 50, "the scan reads the sources: {calls} log calls");
        assert!(found.is_empty(), "log fields in debug form: {found:#?}");
        // The scan can fail: a debug field is seen.
        assert!(debug_field.is_match("!(path = ?p, \"x\")"));
        assert!(!debug_field.is_match("!(path = %p, count)"));
    }
}
