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
}
